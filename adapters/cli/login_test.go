package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/internal/testkit"
)

// lockedBuffer is output the command writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loginCLI is `account login` over real parts: SQLite in a data folder,
// the WebDAV connector and the Nextcloud test server; the flows' clock is
// a memory clock, to make them expire.
type loginCLI struct {
	t       *testing.T
	c       *cli.CLI
	out     *lockedBuffer
	errOut  *lockedBuffer
	flows   *app.LoginFlows
	clock   *memory.Clock
	nc      *davtest.Nextcloud
	dataDir string
}

func newLoginCLI(t *testing.T) *loginCLI {
	t.Helper()
	dataDir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dataDir, "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{5}, 32))
	log := slog.New(slog.DiscardHandler)
	clock := memory.NewClock(time.Now())
	conn := webdav.NewConnector(log)
	accounts := app.NewAccounts(sqlite.NewAccountStore(db), box, conn, clock, log)
	l := &loginCLI{t: t, out: &lockedBuffer{}, errOut: &lockedBuffer{}, flows: app.NewLoginFlows(conn, accounts, clock, log),
		clock: clock, nc: davtest.StartNextcloud(t), dataDir: dataDir}
	l.c = &cli.CLI{Stdout: l.out, Stderr: l.errOut, Getenv: func(string) string { return "" },
		Open: func(context.Context) (*app.App, func(), error) {
			return &app.App{Accounts: accounts}, func() {}, nil
		}}
	return l
}

var loginURL = regexp.MustCompile(`\n  (http://\S+/index\.php/login/v2/flow/\S+)\n`)

// start runs the command in the background and returns the login URL it
// printed (to w) and the command's outcome.
func (l *loginCLI) start(ctx context.Context, w *lockedBuffer, args ...string) (string, <-chan error) {
	l.t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.c.LoginCommand(ctx, args, l.flows, 10*time.Millisecond) }()
	var url string
	printed := testkit.Poll(10*time.Second, 5*time.Millisecond, func() bool {
		if m := loginURL.FindStringSubmatch(w.String()); m != nil {
			url = m[1]
			return true
		}
		select {
		case err := <-done:
			l.t.Fatalf("account login ended before printing the URL: %v\n%s%s", err, l.out.String(), l.errOut.String())
		default:
		}
		return false
	})
	if !printed {
		l.t.Fatalf("account login printed no URL: %s", w.String())
	}
	return url, done
}

// wait returns the command's outcome, failing after a deadline.
func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("account login did not end")
		return nil
	}
}

func TestAccountLogin(t *testing.T) {
	l := newLoginCLI(t)
	url, done := l.start(context.Background(), l.errOut, l.nc.BaseURL, "--name", "Cloud", "--json")
	l.nc.GrantLogin(t, url)
	if err := wait(t, done); err != nil {
		t.Fatalf("account login: %v\n%s", err, l.errOut.String())
	}
	var a jsonview.Account
	if err := json.Unmarshal([]byte(l.out.String()), &a); err != nil {
		t.Fatalf("the output is not the account's JSON: %v\n%s", err, l.out.String())
	}
	if a.Name != "Cloud" || a.Type != "nextcloud" || a.URL != l.nc.DAVURL || a.Username != l.nc.LoginName ||
		a.UserID != l.nc.UserID || a.UserID == a.Username || !a.HasPassword {
		t.Fatalf("account %+v", a)
	}
	if !strings.Contains(l.errOut.String(), "grant photosync access") {
		t.Fatalf("instructions: %s", l.errOut.String())
	}
	noPasswordIn(t, l.dataDir, l.nc.Password)

	// Without --json the instructions and the outcome go to standard output.
	l.out.buf.Reset()
	url, done = l.start(context.Background(), l.out, l.nc.DAVURL)
	l.nc.GrantLogin(t, url)
	if err := wait(t, done); err != nil || !regexp.MustCompile(`Connected account \d+ \(alice@example\.com@127\.0\.0\.1:\d+\): nextcloud server at `).MatchString(l.out.String()) {
		t.Fatalf("account login: %v\n%s", err, l.out.String())
	}
}

func TestAccountLoginStops(t *testing.T) {
	l := newLoginCLI(t)
	_, done := l.start(context.Background(), l.out, l.nc.BaseURL)
	l.clock.Advance(domain.LoginFlowTTL)
	if err := wait(t, done); domain.ErrorMessage(err) != "the sign-in expired; start again" || cli.ExitCode(err) != 1 {
		t.Fatalf("an expired sign-in: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, done = l.start(ctx, l.out, l.nc.BaseURL)
	cancel()
	if err := wait(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled sign-in: %v", err)
	}

	x := davtest.StartXNet(t)
	err := l.c.LoginCommand(context.Background(), []string{x.URL}, l.flows, time.Millisecond)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "is not a Nextcloud server") {
		t.Fatalf("a WebDAV server: %v", err)
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"--nope", "x"}} {
		if err := l.c.LoginCommand(context.Background(), args, l.flows, time.Millisecond); cli.ExitCode(err) != 2 {
			t.Errorf("args %q: %v, want a usage error", args, err)
		}
	}
}

// noPasswordIn fails when a file below dir holds password in clear.
func noPasswordIn(t *testing.T, dir, password string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if bytes.Contains(data, []byte(password)) {
			t.Errorf("%s holds the password in clear", p)
		}
		return err
	})
	if err != nil || files == 0 {
		t.Fatalf("walk %s: %d files, %v", dir, files, err)
	}
}
