package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// helpShown is what a command returns when -h, --help or help asked for
// its usage: Run prints the text on standard output and exits 0.
type helpShown struct{ text string }

func (h *helpShown) Error() string { return "help requested" }

// Help is the error a command returns to print text as its usage and
// exit 0; the composition root uses it for `photosync serve -h`.
func Help(text string) error { return &helpShown{text} }

// Usagef is a usage error (exit code 2) for the composition root's
// commands, such as a bad flag of `photosync serve`.
func Usagef(format string, args ...any) error { return usagef(format, args...) }

// synopses are the usage lines of commands, by the name of their flag set.
var synopses = map[string]string{
	"account":        accountUsage,
	"account add":    "photosync account add --url URL --user NAME [--password-stdin] [flags]",
	"account edit":   "photosync account edit ID [--password-stdin] [flags]",
	"account login":  loginUsage,
	"account list":   "photosync account list [--json]",
	"account show":   "photosync account show ID [--json]",
	"account remove": "photosync account remove ID [--json]",
	"account rm":     "photosync account rm ID [--json]",
	"account test":   "photosync account test ID [--json]",
	"index":          "photosync index [--json]",
	"photos":         "photosync photos [--q TEXT] [--kind image|raw|video|sidecar] [--offset N] [--count N] [--json]",
	"upload":         uploadUsage,
	"sync":           syncUsage,
	"sync failed":    "photosync sync failed --account ID [--all] [--json]",
	"sync retry":     "photosync sync retry --account ID [PATH...] [--json]",
	"sync deleted":   "photosync sync deleted --account ID [--json]",
	"sync restore":   "photosync sync restore --account ID PATH... [--json]",
	"jobs":           "photosync jobs [--account ID] [--kind index|upload|sync|verify|restore] [--limit N] [--json]",
	"jobs show":      "photosync jobs show ID [--json]",
	"migrate-store":  "photosync migrate-store [--to postgres://...] [--force] [--json]",
	"version":        "photosync version [--json]",
	"status":         statusUsage,
	"verify":         verifyUsage,
	"restore":        restoreUsage,
}

// accountUsage is the synopsis of the account commands.
const accountUsage = `photosync account add --url URL --user NAME [--password-stdin] [flags]
  photosync account login URL [--name NAME] [--ca-cert FILE] [--timeout 60s]
  photosync account list
  photosync account show|remove|test ID
  photosync account edit ID [--password-stdin] [flags]

Run 'photosync account SUBCOMMAND --help' for the flags of each.`

// helpFor is the usage text of the command whose flags are fs.
func helpFor(fs *flag.FlagSet) error {
	var b strings.Builder
	syn := synopses[fs.Name()]
	if syn == "" {
		syn = "photosync " + fs.Name() + " [flags]"
	}
	fmt.Fprintf(&b, "Usage:\n  %s\n", syn)
	if flags := defaults(fs); flags != "" {
		fmt.Fprintf(&b, "\nFlags:\n%s", flags)
	}
	return &helpShown{b.String()}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// flagHelp is the error for a flag parse error: the usage on -h/--help,
// a usage error otherwise.
func flagHelp(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return helpFor(fs)
	}
	return usagef("%s: %v", fs.Name(), err)
}

// duration is d as people write it: 24h, 1h30m, 90s, 1m30s, 500ms.
func duration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d < time.Second || d%time.Second != 0 {
		if d >= time.Minute {
			d = d.Round(time.Second)
		} else {
			return d.String()
		}
	}
	s := d.String() // e.g. 24h0m0s, 1h30m0s, 2m0s, 1m30s
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
