// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb
// into a temporary folder, the server on a free 127.0.0.1 port with its
// Unix socket inside that folder and fsync off, and a fresh database per
// test. It uses the server programs of Debian's postgresql package
// (/usr/lib/postgresql/N/bin), or those named by $PGTEST_BIN, or initdb
// and pg_ctl on the PATH.
//
// PostgreSQL refuses to run as root: as root, the cluster belongs to the
// postgres user (which Debian's package creates) and its programs run
// through runuser. The tests fail, never skip, when no server can start,
// with a message that says what to install.
//
// One cluster serves a whole test binary: call Main from TestMain, and
// NewDatabase from each test. A test binary without a TestMain of its own
// to spare can call Start for a cluster of the test's own instead.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Cluster is a running PostgreSQL server in a temporary folder.
type Cluster struct {
	dir   string // owns data/, the socket and the log
	bin   string
	owner string // the OS user that runs the server; "" for this process's
	port  int
	admin *sql.DB // on the postgres database, to create and drop databases
	seq   atomic.Int64
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
	mainCalled atomic.Bool
)

// Main runs the tests of a binary and stops the shared cluster (started
// by the first NewDatabase) when they are done. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	mainCalled.Store(true)
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// NewDatabase creates an empty database on the binary's shared cluster
// and returns its URL; it is dropped at the end of the test. The binary's
// TestMain must call Main.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("pgtest: NewDatabase needs the test binary's TestMain to call pgtest.Main, which stops the cluster")
	}
	sharedOnce.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		t.Fatalf("pgtest: %v", sharedErr)
	}
	return shared.NewDatabase(t)
}

// Start starts a cluster of the test's own, stopped at the end of the
// test.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := start()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// NewDatabase creates an empty database on c and returns its URL; it is
// dropped at the end of the test, even while connections to it are open.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("photosync_test_%d_%d", os.Getpid(), c.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.URL(name)
}

// URL is the address of database name on the cluster, as the superuser
// postgres, which needs no password from 127.0.0.1.
func (c *Cluster) URL(name string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// start runs initdb and pg_ctl start.
func start() (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, errors.New("running as root, PostgreSQL needs a user to run as, and there is no postgres user: apt-get install postgresql creates it")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, errors.New("running as root, PostgreSQL is started as the postgres user through runuser, which is missing (util-linux)")
		}
		c.owner = "postgres"
	}
	// Not t.TempDir: its parents are private to this user, and the
	// postgres user must reach the cluster's folder.
	if c.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return nil, err
	}
	if c.owner != "" {
		if out, err := exec.Command("chown", c.owner+":", c.dir).CombinedOutput(); err != nil {
			os.RemoveAll(c.dir)
			return nil, fmt.Errorf("chown %s: %v: %s", c.dir, err, out)
		}
	}
	if err := c.initdb(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	// A free port can be taken between the probe and the start: try again.
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log"), "-o",
			fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
				c.port, c.dir)); err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("start the server: %v\n%s", err, log)
	}
	if c.admin, err = sql.Open("pgx", c.URL("postgres")); err == nil {
		err = c.admin.Ping()
	}
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("connect to the test server: %w", err)
	}
	return c, nil
}

func (c *Cluster) initdb() error {
	out, err := c.command(filepath.Join(c.bin, "initdb"), "-D", filepath.Join(c.dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return nil
}

func (c *Cluster) pgctl(args ...string) error {
	args = append([]string{"-D", filepath.Join(c.dir, "data")}, args...)
	out, err := c.command(filepath.Join(c.bin, "pg_ctl"), args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", args[2], err, out)
	}
	return nil
}

// command runs a server program as the cluster's owner.
func (c *Cluster) command(prog string, args ...string) *exec.Cmd {
	if c.owner == "" {
		return exec.Command(prog, args...)
	}
	return exec.Command("runuser", append([]string{"-u", c.owner, "--", prog}, args...)...)
}

// stop stops the server at once and removes its folder.
func (c *Cluster) stop() error {
	if c.admin != nil {
		c.admin.Close()
	}
	err := c.pgctl("stop", "-m", "immediate", "-w")
	if rerr := os.RemoveAll(c.dir); err == nil && rerr != nil {
		err = rerr
	}
	return err
}

// findBin finds the folder of initdb and pg_ctl: $PGTEST_BIN, the newest
// /usr/lib/postgresql/N/bin, or the PATH's.
func findBin() (string, error) {
	if dir := os.Getenv("PGTEST_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server programs (initdb, pg_ctl) found in /usr/lib/postgresql/*/bin, $PGTEST_BIN or the PATH: " +
		"install them with `apt-get install postgresql` (make test does so through .ci/deps)")
}

// version is N of /usr/lib/postgresql/N/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Dir is the cluster's folder, for a test that reads the server's log.
func (c *Cluster) Dir() string { return c.dir }

// String names the cluster in messages.
func (c *Cluster) String() string {
	return "PostgreSQL on 127.0.0.1:" + strconv.Itoa(c.port) + " in " + strings.TrimSuffix(c.dir, "/")
}
