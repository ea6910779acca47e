package davtest

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// apacheModules is where Debian's apache2 package keeps its modules.
const apacheModules = "/usr/lib/apache2/modules"

// StartApache starts Debian's Apache httpd in the foreground with mod_dav
// and mod_dav_fs behind Basic auth, on a free port of 127.0.0.1, with its
// configuration, logs and locks in a temporary folder. The WebDAV endpoint
// is http://127.0.0.1:PORT/dav/.
//
// Apache refuses PROPFIND with Depth: infinity (and without a Depth header,
// which means infinity) with 403, as most servers configured for the public
// do.
//
// Apache will not run its workers as root, so when the test runs as root
// they run as www-data: the server's folders are then made outside
// t.TempDir (which www-data cannot enter), the served folder belongs to
// www-data, and files a test puts in Dir should be written with WriteFile
// or MkdirAll so Apache may change them.
func StartApache(t testing.TB) *Server {
	t.Helper()
	bin, err := findProgram("apache2", "/usr/sbin/apache2")
	if err != nil {
		t.Fatalf("davtest: apache2 not found in /usr/sbin or PATH: install Debian's apache2 package (make test does this)")
	}
	s := &Server{Username: "photosync", Password: randomPassword(t)}
	if os.Geteuid() == 0 {
		s.owner = lookupOwner(t, "www-data")
	}
	root := apacheRoot(t)
	s.Dir = filepath.Join(root, "www", "dav")
	mkdir(t, filepath.Join(root, "www"), nil)
	mkdir(t, s.Dir, s.owner)
	mkdir(t, filepath.Join(root, "lock"), s.owner)
	mkdir(t, filepath.Join(root, "run"), nil)
	writeConfigFile(t, filepath.Join(root, "htpasswd"), htpasswdLine(s.Username, s.Password))
	errorLog := filepath.Join(root, "error.log")

	for attempt := 1; ; attempt++ {
		port := freePort(t)
		s.URL = "http://" + hostPort(port) + "/dav/"
		conf := filepath.Join(root, "httpd.conf")
		writeConfigFile(t, conf, apacheConfig(root, port, s.owner != nil))
		// A stale log would hide the reason for this attempt's failure.
		_ = os.Remove(errorLog)
		p, err := startProcess("apache2", bin, []string{"-f", conf, "-DFOREGROUND"}, os.Environ())
		if err != nil {
			t.Fatalf("davtest: %v", err)
		}
		t.Cleanup(p.stop)
		code, err := p.waitHTTP(s.URL, s.Username, s.Password)
		if err == nil && code == http.StatusMultiStatus {
			return s
		}
		p.stop()
		logs := p.output.String() + readLog(errorLog)
		if err != nil && attempt < portAttempts && addrInUse(logs) {
			continue
		}
		if err == nil {
			err = fmt.Errorf("answered %d to PROPFIND %s, want 207", code, s.URL)
		}
		t.Fatalf("davtest: apache2 did not start: %v; its output and error log:\n%s", err, tail(logs, 30))
	}
}

// apacheConfig answers a self-contained httpd.conf: no file outside root
// is read but the modules and, when present, /etc/mime.types.
func apacheConfig(root string, port int, asWWWData bool) string {
	q := strconv.Quote
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	for _, m := range []string{"mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "dav", "dav_fs"} {
		line("LoadModule %s_module %s", m, q(filepath.Join(apacheModules, "mod_"+m+".so")))
	}
	line("ServerRoot %s", q(root))
	line("ServerName 127.0.0.1")
	line("Listen %s", hostPort(port))
	if asWWWData {
		line("User www-data")
		line("Group www-data")
	}
	line("PidFile %s", q(filepath.Join(root, "httpd.pid")))
	line("ErrorLog %s", q(filepath.Join(root, "error.log")))
	line("LogLevel warn")
	line("DefaultRuntimeDir %s", q(filepath.Join(root, "run")))
	line("Mutex file:%s default", filepath.Join(root, "run"))
	// Few workers: tests start many servers at once.
	line("StartServers 1")
	line("ServerLimit 2")
	line("ThreadsPerChild 16")
	line("MaxRequestWorkers 32")
	line("MinSpareThreads 1")
	line("MaxSpareThreads 32")
	if _, err := os.Stat("/etc/mime.types"); err == nil {
		// Real servers answer getcontenttype from the file name.
		line("LoadModule mime_module %s", q(filepath.Join(apacheModules, "mod_mime.so")))
		line("TypesConfig /etc/mime.types")
	}
	line("DAVLockDB %s", q(filepath.Join(root, "lock", "DAVLock")))
	line("DocumentRoot %s", q(filepath.Join(root, "www")))
	line("<Directory />")
	line("  AllowOverride None")
	line("  Require all denied")
	line("</Directory>")
	line("<Directory %s>", q(filepath.Join(root, "www", "dav")))
	line("  Dav On")
	line("  AuthType Basic")
	line("  AuthName \"photosync test\"")
	line("  AuthBasicProvider file")
	line("  AuthUserFile %s", q(filepath.Join(root, "htpasswd")))
	line("  Require valid-user")
	line("</Directory>")
	return b.String()
}

// htpasswdLine answers an htpasswd entry with the {SHA} scheme, which
// Apache accepts without the htpasswd tool.
func htpasswdLine(user, pass string) string {
	sum := sha1.Sum([]byte(pass))
	return user + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:]) + "\n"
}

// apacheRoot makes the server's temporary folder. Under root it is made in
// os.TempDir with mode 0755, because www-data cannot enter t.TempDir.
func apacheRoot(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return t.TempDir()
	}
	root, err := os.MkdirTemp(os.TempDir(), "davtest-apache-")
	if err != nil {
		t.Fatalf("davtest: apache folder: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(root); err != nil {
			t.Errorf("davtest: remove apache folder: %v", err)
		}
	})
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatalf("davtest: apache folder: %v", err)
	}
	return root
}

// lookupOwner answers the ids of a system user and its group.
func lookupOwner(t testing.TB, name string) *owner {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("davtest: Apache must run as %s when the test runs as root: %v", name, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		t.Fatalf("davtest: user %s has ids %q and %q", name, u.Uid, u.Gid)
	}
	return &owner{uid: uid, gid: gid}
}

// mkdir makes a folder with mode 0755 and gives it to o, when o is not nil.
func mkdir(t testing.TB, dir string, o *owner) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("davtest: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatalf("davtest: %v", err)
	}
	if o != nil {
		if err := os.Chown(dir, o.uid, o.gid); err != nil {
			t.Fatalf("davtest: %v", err)
		}
	}
}

// writeConfigFile writes a file the server's workers may read.
func writeConfigFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatalf("davtest: %v", err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		t.Fatalf("davtest: %v", err)
	}
}

// readLog answers a log file's content, or nothing when there is none.
func readLog(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}
