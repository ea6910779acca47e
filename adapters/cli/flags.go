package cli

import (
	"flag"
	"io"
	"strconv"
	"time"
)

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags given before, between or after the positional
// arguments (so `account show 3 --json` works) and checks that exactly
// want positional arguments were given.
func parse(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagHelp(fs, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != want {
		return nil, usagef("%s: expected %d argument(s), got %d", fs.Name(), want, len(pos))
	}
	return pos, nil
}

func defaults(fs *flag.FlagSet) string {
	var out []byte
	fs.VisitAll(func(f *flag.Flag) {
		line := "  --" + f.Name
		if name, _ := flag.UnquoteUsage(f); name != "" {
			line += " " + name
		}
		line += "\n        " + f.Usage
		def := f.DefValue
		if g, ok := f.Value.(flag.Getter); ok {
			if d, ok := g.Get().(time.Duration); ok {
				def = duration(d)
			}
		}
		if def != "" && def != "false" && def != "0" && def != "0s" {
			line += " (default " + def + ")"
		}
		out = append(out, line+"\n"...)
	})
	return string(out)
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not an account ID (see 'photosync account list')", s)
	}
	return id, nil
}
