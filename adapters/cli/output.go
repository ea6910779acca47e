package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/domain"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printAccounts(w io.Writer, accounts []domain.Account) {
	if len(accounts) == 0 {
		fmt.Fprintln(w, "No accounts yet. Connect one with: photosync account add --url URL --user NAME --password-stdin")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTYPE\tUSER\tSTATUS\tSYNC\tURL")
	for _, a := range accounts {
		sync := "off"
		if a.SyncEnabled {
			sync = "every " + interval(a.SyncInterval)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Type, a.Username, a.Status, sync, a.URL)
	}
	tw.Flush()
}

func printAccount(w io.Writer, a domain.Account) {
	j := jsonview.FromAccount(a)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", k, v) }
	row("ID", j.ID)
	row("Name", j.Name)
	row("URL", j.URL)
	row("Type", j.Type)
	row("User", j.Username)
	if j.UserID != "" && j.UserID != j.Username {
		row("User ID", j.UserID)
	}
	row("Password", map[bool]string{true: "stored (encrypted)", false: "none"}[j.HasPassword])
	row("Custom CA", map[bool]string{true: "yes", false: "no"}[j.HasCACert])
	row("Timeout", duration(a.Timeout))
	row("Retry limit", j.RetryLimit)
	row("Upload", fmt.Sprintf("%s, to %s, size %s", onOff(j.UploadEnabled), j.UploadFolder, j.UploadSize))
	row("Sync", fmt.Sprintf("%s, folder %s, %s", onOff(j.SyncEnabled), j.SyncFolder, interval(a.SyncInterval)))
	row("Sync options", fmt.Sprintf("download %s, upload %s, keep names %s, RAW %s, video %s, new photos at once %s",
		onOff(j.SyncDownload), onOff(j.SyncUpload), onOff(j.SyncPreserveNames), onOff(j.SyncRaw), onOff(j.SyncVideo), onOff(j.SyncOnChange)))
	row("Status", j.Status)
	if j.LastSyncAt != nil {
		row("Last sync", j.LastSyncAt.Local().Format(time.DateTime))
	}
	if j.LastError != "" {
		row("Last error", j.LastError)
	}
	tw.Flush()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func interval(d time.Duration) string {
	if d == 0 {
		return "only by hand"
	}
	return duration(d)
}
