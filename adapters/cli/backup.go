package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Synopses of the proof-of-backup commands.
const (
	statusUsage = "photosync status [--account ID] [--gaps] [--json]"
	verifyUsage = "photosync verify --account ID [--full] [--repair] [--json]"
)

// status runs `photosync status`: one line per account saying how much of
// its backup is verified and since when; --gaps lists the files pending
// or failed with their causes.
func (c *CLI) status(ctx context.Context, args []string) error {
	fs := newFlags("status")
	account := fs.Int64("account", 0, "only this account (see 'photosync account list')")
	gaps := fs.Bool("gaps", false, "list the files not (or no longer) on the server, with the cause")
	asJSON := fs.Bool("json", false, "print JSON: a list of the accounts' backup status (every gap)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *account < 0 {
		return usagef("status: --account must be an account ID\nusage: %s", statusUsage)
	}
	return c.withServices(ctx, func(s *app.App) error {
		var accounts []domain.Account
		var statuses []domain.BackupStatus
		if *account > 0 {
			a, err := s.Accounts.Account(ctx, *account)
			if err != nil {
				return err
			}
			st, err := s.Backup.Status(ctx, a.ID)
			if err != nil {
				return err
			}
			accounts, statuses = []domain.Account{a}, []domain.BackupStatus{st}
		} else {
			var err error
			if accounts, statuses, err = s.Backup.Statuses(ctx); err != nil {
				return err
			}
		}
		if *asJSON {
			out := make([]jsonview.Backup, 0, len(statuses))
			for _, st := range statuses {
				out = append(out, jsonview.FromBackup(st, 0, -1))
			}
			return writeJSON(c.Stdout, out)
		}
		if len(accounts) == 0 {
			fmt.Fprintln(c.Stdout, "No accounts yet: add one with 'photosync account add'.")
			return nil
		}
		now := time.Now()
		for i, a := range accounts {
			fmt.Fprintln(c.Stdout, statusLine(a.Name, statuses[i], now))
			if *gaps {
				writeGaps(c.Stdout, statuses[i])
			}
		}
		return nil
	})
}

// statusLine is an account's backup status in one line, e.g.
// "Nextcloud: 12,340 of 12,402 photos verified (99.5%), 62 pending,
// last verified 2 h ago".
func statusLine(name string, st domain.BackupStatus, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s of %s photos verified (%s)", name, thousands(st.Verified), thousands(st.Files), percent(st.Verified, st.Files))
	for _, part := range []struct {
		n    int
		what string
	}{{st.Unverified, "unverified"}, {st.Pending, "pending"}, {st.Failed, "failed"}} {
		if part.n > 0 {
			fmt.Fprintf(&b, ", %s %s", thousands(part.n), part.what)
		}
	}
	if st.OldestVerifiedAt.IsZero() {
		b.WriteString(", never verified")
	} else {
		fmt.Fprintf(&b, ", last verified %s", ago(now.Sub(st.LastVerifiedAt)))
		if now.Sub(st.OldestVerifiedAt) >= 24*time.Hour {
			fmt.Fprintf(&b, " (oldest proof %s)", ago(now.Sub(st.OldestVerifiedAt)))
		}
	}
	return b.String()
}

func writeGaps(w io.Writer, st domain.BackupStatus) {
	for _, g := range st.Gaps() {
		fmt.Fprintf(w, "  %-7s  %s: %s\n", g.State, g.Path, g.Reason)
	}
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// percent is n of total with one decimal, rounded down so that 100% means
// every one.
func percent(n, total int) string {
	if total == 0 {
		return "100%"
	}
	p := math.Floor(float64(n)*1000/float64(total)) / 10
	if p == math.Trunc(p) {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// ago says how long ago d was, coarsely.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// verify runs `photosync verify`: a verify of one account as a job,
// followed to its end; exit 1 when it found gaps it did not repair.
func (c *CLI) verify(ctx context.Context, args []string) error {
	fs := newFlags("verify")
	account := fs.Int64("account", 0, "the account to verify (see 'photosync account list')")
	full := fs.Bool("full", false, "read back and hash every file now, not only the rolling share")
	repair := fs.Bool("repair", false, "send the gaps again from the library, keeping the server's differing copies")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *account <= 0 {
		return usagef("verify: give --account ID\nusage: %s", verifyUsage)
	}
	return c.withServices(ctx, func(s *app.App) error {
		job, err := s.Verifier.Start(ctx, s.Jobs, *account, app.VerifyOptions{Full: *full, Repair: *repair})
		if err != nil {
			return err
		}
		return c.follow(ctx, s.Jobs, job.ID, *asJSON)
	})
}

// restoreUsage is the synopsis of photosync restore.
const restoreUsage = "photosync restore --account ID --path P [--to DIR] [--json]"

// restore runs `photosync restore`: a remote folder back into the
// library, as a job followed to its end.
func (c *CLI) restore(ctx context.Context, args []string) error {
	fs := newFlags("restore")
	account := fs.Int64("account", 0, "the account to restore from (see 'photosync account list')")
	from := fs.String("path", "", "the remote folder (or file) to restore; / for everything")
	to := fs.String("to", "", "the library folder to restore into, relative to the library (default: the folder matching --path, or restored/...)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *account <= 0 || *from == "" {
		return usagef("restore: give --account ID and --path P\nusage: %s", restoreUsage)
	}
	return c.withServices(ctx, func(s *app.App) error {
		job, err := s.Restorer.Start(ctx, s.Jobs, *account, app.RestoreRequest{Path: *from, To: *to})
		if err != nil {
			return err
		}
		return c.follow(ctx, s.Jobs, job.ID, *asJSON)
	})
}
