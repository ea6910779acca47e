package davtest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"sync"
	"time"
)

// This file imitates the public links of Nextcloud's OCS Share API
// (developer_manual/client_apis/OCS/ocs-share-api.rst): POST
// /ocs/v2.php/apps/files_sharing/api/v1/shares with path, shareType=3 and
// optionally expireDate (YYYY-MM-DD) and password creates a link, answered
// with the share and its url; GET lists the user's links (optionally of
// one path). The link's page, /index.php/s/{token}, answers 404 once the
// link has expired, and asks for the password of a protected link
// (POST /index.php/s/{token}/authenticate checks it). Other share types
// are refused; passwords shorter than 10 characters are refused, as
// Nextcloud's default password policy does.

// minSharePassword is the shortest password Nextcloud's default policy
// accepts.
const minSharePassword = 10

// shares is the imitation's state of public links.
type shares struct {
	n *Nextcloud

	mu     sync.Mutex
	nextID int
	links  []*shareLink
}

// shareLink is one public link.
type shareLink struct {
	id       int
	token    string
	rel      string // the shared path in the user's files
	isDir    bool
	fileID   int64
	created  time.Time
	expires  time.Time // midnight starting the day the link stops working; zero for never
	password string    // kept to check it; shown only as a hash
}

// shareRoutes adds the share API and the public link pages.
func (n *Nextcloud) shareRoutes(mux *http.ServeMux) {
	s := &shares{n: n, nextID: 1}
	b := n.cfg.basePath
	mux.HandleFunc(b+"/ocs/v2.php/apps/files_sharing/api/v1/shares", s.api)
	mux.HandleFunc("GET "+b+"/index.php/s/{token}", s.page)
	mux.HandleFunc("POST "+b+"/index.php/s/{token}/authenticate", s.authenticate)
}

// api serves the shares collection: GET lists, POST creates.
func (s *shares) api(w http.ResponseWriter, r *http.Request) {
	format := ocsFormat(r)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if _, _, ok := s.n.login(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Authorisation Required"`)
		writeOCS(w, 2, format, ocsUnauthorised, "Current user is not logged in", ocsObject{})
		return
	}
	if r.Header.Get("OCS-APIRequest") != "true" {
		csrfFailed(w, r)
		return
	}
	if r.Method == http.MethodGet {
		s.list(w, r, format)
		return
	}
	s.create(w, r, format)
}

// create makes a public link, checking its options as Nextcloud does.
func (s *shares) create(w http.ResponseWriter, r *http.Request, format string) {
	fail := func(status int, msg string) { writeOCS(w, 2, format, status, msg, ocsObject{}) }
	p := r.FormValue("path")
	if p == "" {
		fail(http.StatusNotFound, "Please specify a file or folder path")
		return
	}
	if st := r.FormValue("shareType"); st != "3" {
		fail(http.StatusBadRequest, "Unknown share type")
		return
	}
	rel := cleanRel(p)
	if rel == "" {
		fail(http.StatusForbidden, "You cannot share your root folder")
		return
	}
	s.n.files.tree.RLock()
	e, err := s.n.files.stat(rel)
	s.n.files.tree.RUnlock()
	if errors.Is(err, fs.ErrNotExist) {
		fail(http.StatusNotFound, "Wrong path, file/folder does not exist")
		return
	} else if err != nil {
		fail(ocsServerError, err.Error())
		return
	}
	link := &shareLink{token: randomToken(15), rel: rel, isDir: e.isDir, fileID: e.id, created: time.Now()}
	if d := r.FormValue("expireDate"); d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, time.UTC)
		if err != nil {
			fail(http.StatusNotFound, "Invalid date. Format must be YYYY-MM-DD")
			return
		}
		if !t.After(time.Now().UTC()) {
			fail(http.StatusNotFound, "Expiration date is in the past")
			return
		}
		link.expires = t
	}
	if pw := r.FormValue("password"); pw != "" {
		if len([]rune(pw)) < minSharePassword {
			fail(http.StatusForbidden, "Password needs to be at least "+strconv.Itoa(minSharePassword)+" characters long.")
			return
		}
		link.password = pw
	}
	s.mu.Lock()
	link.id = s.nextID
	s.nextID++
	s.links = append(s.links, link)
	s.mu.Unlock()
	writeOCS(w, 2, format, ocsOK, "", s.view(r, link))
}

// list answers the user's links that have not expired, of one path when
// path is given.
func (s *shares) list(w http.ResponseWriter, r *http.Request, format string) {
	want := r.URL.Query().Get("path")
	s.mu.Lock()
	var out []any
	for _, l := range s.links {
		if l.expired() || (want != "" && cleanRel(want) != l.rel) {
			continue
		}
		out = append(out, s.view(r, l))
	}
	s.mu.Unlock()
	if out == nil {
		out = []any{}
	}
	writeOCS(w, 2, format, ocsOK, "", out)
}

// view is a link as the share API shows it, in the fields and order of
// Nextcloud 30 (the ones a client reads).
func (s *shares) view(r *http.Request, l *shareLink) ocsObject {
	var expiration, shareWith, password any
	if !l.expires.IsZero() {
		expiration = l.expires.Format(time.DateTime)
	}
	if l.password != "" {
		sum := sha256.Sum256([]byte(l.password))
		shareWith, password = "$davtest$"+hex.EncodeToString(sum[:]), "$davtest$"+hex.EncodeToString(sum[:])
	}
	itemType, mime := "file", contentType(l.rel)
	if l.isDir {
		itemType, mime = "folder", "httpd/unix-directory"
	}
	return ocsObject{
		{"id", strconv.Itoa(l.id)},
		{"share_type", 3},
		{"uid_owner", s.n.UserID},
		{"displayname_owner", s.n.DisplayName},
		{"permissions", 1},
		{"can_edit", true},
		{"can_delete", true},
		{"stime", l.created.Unix()},
		{"parent", nil},
		{"expiration", expiration},
		{"token", l.token},
		{"uid_file_owner", s.n.UserID},
		{"note", ""},
		{"label", ""},
		{"displayname_file_owner", s.n.DisplayName},
		{"path", "/" + l.rel},
		{"item_type", itemType},
		{"mimetype", mime},
		{"storage_id", "home::" + s.n.UserID},
		{"item_source", l.fileID},
		{"file_source", l.fileID},
		{"file_target", "/" + path.Base(l.rel)},
		{"share_with", shareWith},
		{"share_with_displayname", "(Shared link)"},
		{"password", password},
		{"url", s.n.baseURL(r) + "/index.php/s/" + l.token},
		{"mail_send", 0},
		{"hide_download", 0},
	}
}

// expired reports whether a link no longer works: Nextcloud stops a link
// at the start of its expiry day.
func (l *shareLink) expired() bool {
	return !l.expires.IsZero() && !time.Now().Before(l.expires)
}

// byToken answers the working link with token, nil for none.
func (s *shares) byToken(token string) *shareLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.links {
		if l.token == token && !l.expired() {
			return l
		}
	}
	return nil
}

// page is a link's public page: the shared name, or a password form.
func (s *shares) page(w http.ResponseWriter, r *http.Request) {
	l := s.byToken(r.PathValue("token"))
	switch {
	case l == nil:
		htmlPage(w, http.StatusNotFound, "Share not found", "This share does not exist or is no longer available")
	case l.password != "":
		htmlPage(w, http.StatusOK, "Password required", "This share is password-protected")
	default:
		htmlPage(w, http.StatusOK, path.Base(l.rel), "Shared by "+s.n.DisplayName)
	}
}

// authenticate checks a protected link's password: 303 to the link when it
// is right, the form again when it is not.
func (s *shares) authenticate(w http.ResponseWriter, r *http.Request) {
	l := s.byToken(r.PathValue("token"))
	switch {
	case l == nil:
		htmlPage(w, http.StatusNotFound, "Share not found", "This share does not exist or is no longer available")
	case l.password == "" || equal(r.PostFormValue("password"), l.password):
		http.Redirect(w, r, s.n.cfg.basePath+"/index.php/s/"+l.token, http.StatusSeeOther)
	default:
		htmlPage(w, http.StatusOK, "Password required", "The password is wrong or expired. Please try again or request a new one.")
	}
}
