package davtest

import (
	"encoding/json"
	"net/http"
)

// handleStatus answers status.php, which needs no login and is how clients
// recognise a Nextcloud server.
func (n *Nextcloud) handleStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The field order of Nextcloud's answer.
		body, err := json.Marshal(struct {
			Installed       bool   `json:"installed"`
			Maintenance     bool   `json:"maintenance"`
			NeedsDBUpgrade  bool   `json:"needsDbUpgrade"`
			Version         string `json:"version"`
			VersionString   string `json:"versionstring"`
			Edition         string `json:"edition"`
			ProductName     string `json:"productname"`
			ExtendedSupport bool   `json:"extendedSupport"`
		}{
			Installed:     true,
			Version:       n.cfg.version,
			VersionString: n.cfg.release,
			ProductName:   "Nextcloud",
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(body)
	})
}
