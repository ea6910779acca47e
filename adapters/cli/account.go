package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

func (c *CLI) account(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("account: expected add, login, list, show, edit, remove or test\nusage: %s", accountUsage)
	}
	if isHelp(args[0]) {
		return Help("Usage:\n  " + accountUsage + "\n")
	}
	switch args[0] {
	case "add":
		return c.accountSave(ctx, "account add", args[1:], false)
	case "edit":
		return c.accountSave(ctx, "account edit", args[1:], true)
	case "login":
		return c.accountLogin(ctx, args[1:])
	case "list", "ls":
		return c.accountList(ctx, args[1:])
	case "show", "remove", "rm", "test":
		return c.accountOne(ctx, args[0], args[1:])
	}
	return usagef("account: unknown subcommand %q\nusage: %s", args[0], accountUsage)
}

func (c *CLI) accountList(ctx context.Context, args []string) error {
	fs := newFlags("account list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	return c.withServices(ctx, func(s *app.App) error {
		all, err := s.Accounts.Accounts(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]jsonview.Account, 0, len(all))
			for _, a := range all {
				out = append(out, jsonview.FromAccount(a))
			}
			return writeJSON(c.Stdout, out)
		}
		printAccounts(c.Stdout, all)
		return nil
	})
}

// accountOne runs show, remove and test, which take one account ID.
func (c *CLI) accountOne(ctx context.Context, cmd string, args []string) error {
	fs := newFlags("account " + cmd)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	id, err := parseID(pos[0])
	if err != nil {
		return err
	}
	return c.withServices(ctx, func(s *app.App) error {
		var a domain.Account
		var err error
		switch cmd {
		case "show":
			a, err = s.Accounts.Account(ctx, id)
		case "test":
			a, err = s.Accounts.Test(ctx, id)
		default:
			if err := s.Jobs.CancelAccount(ctx, id); err != nil {
				return err
			}
			if err := s.Accounts.Remove(ctx, id); err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, map[string]any{"removed": id})
			}
			fmt.Fprintf(c.Stdout, "Removed account %d.\n", id)
			return nil
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.FromAccount(a))
		}
		if cmd == "test" {
			fmt.Fprintf(c.Stdout, "Connection to %s works.\n", a.URL)
			return nil
		}
		printAccount(c.Stdout, a)
		return nil
	})
}

// accountFlags are the settings flags of add and edit. Only flags given on
// the command line change anything.
type accountFlags struct {
	name, url, user, caFile, uploadFolder, uploadSize, syncFolder   string
	timeout, syncInterval                                           time.Duration
	retryLimit                                                      int
	passwordStdin, askPassword, asJSON                              bool
	upload, sync, download, syncUp, preserveNames, syncRaw, syncVid bool
	onChange                                                        bool
}

func (f *accountFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "a name for the account (default USER@HOST)")
	fs.StringVar(&f.url, "url", "", "server URL: a Nextcloud address or a WebDAV folder")
	fs.StringVar(&f.user, "user", "", "user name")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from standard input (default: PHOTOSYNC_ACCOUNT_PASSWORD, else typed on the terminal)")
	fs.StringVar(&f.caFile, "ca-cert", "", "PEM file with the CA certificate(s) to trust for this server")
	fs.DurationVar(&f.timeout, "timeout", domain.DefaultTimeout, "how long to wait for the server to answer")
	fs.IntVar(&f.retryLimit, "retry-limit", domain.DefaultRetryLimit, "sync runs a failing file is retried in before it is marked failed")
	fs.BoolVar(&f.upload, "upload", true, "allow manual uploads")
	fs.StringVar(&f.uploadFolder, "upload-folder", domain.DefaultFolder, "default remote folder for uploads")
	fs.StringVar(&f.uploadSize, "upload-size", domain.SizeOriginal, "original, fit_720, fit_1280, fit_1920, fit_2560 or fit_4096")
	fs.BoolVar(&f.sync, "sync", false, "turn scheduled sync on")
	fs.StringVar(&f.syncFolder, "sync-folder", domain.DefaultFolder, "remote folder to keep in sync")
	fs.DurationVar(&f.syncInterval, "sync-interval", 0, "time between syncs, e.g. 1h or 24h; 0 = only by hand")
	fs.BoolVar(&f.download, "sync-download", true, "download remote files")
	fs.BoolVar(&f.syncUp, "sync-upload", true, "upload local files")
	fs.BoolVar(&f.preserveNames, "sync-preserve-names", true, "keep file names (else YYYY/MM/date_time_hash names)")
	fs.BoolVar(&f.syncRaw, "sync-raw", true, "include RAW files")
	fs.BoolVar(&f.syncVid, "sync-video", true, "include videos")
	fs.BoolVar(&f.onChange, "sync-on-change", true, "back up new photos at once: serve uploads new library files seconds after they land (docs/watch.md)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
}

// input returns the settings whose flags were given.
func (f *accountFlags) input(fs *flag.FlagSet) (app.AccountInput, error) {
	var in app.AccountInput
	var err error
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "name":
			in.Name = &f.name
		case "url":
			in.URL = &f.url
		case "user":
			in.Username = &f.user
		case "ca-cert":
			var pem []byte
			if pem, err = os.ReadFile(f.caFile); err != nil {
				err = usagef("--ca-cert: %v", err)
				return
			}
			s := string(pem)
			in.CACert = &s
		case "timeout":
			in.Timeout = &f.timeout
		case "retry-limit":
			in.RetryLimit = &f.retryLimit
		case "upload":
			in.UploadEnabled = &f.upload
		case "upload-folder":
			in.UploadFolder = &f.uploadFolder
		case "upload-size":
			in.UploadSize = &f.uploadSize
		case "sync":
			in.SyncEnabled = &f.sync
		case "sync-folder":
			in.SyncFolder = &f.syncFolder
		case "sync-interval":
			in.SyncInterval = &f.syncInterval
		case "sync-download":
			in.SyncDownload = &f.download
		case "sync-upload":
			in.SyncUpload = &f.syncUp
		case "sync-preserve-names":
			in.SyncPreserveNames = &f.preserveNames
		case "sync-raw":
			in.SyncRaw = &f.syncRaw
		case "sync-video":
			in.SyncVideo = &f.syncVid
		case "sync-on-change":
			in.SyncOnChange = &f.onChange
		}
	})
	return in, err
}

func (c *CLI) accountSave(ctx context.Context, name string, args []string, edit bool) error {
	fs := newFlags(name)
	var f accountFlags
	f.define(fs)
	if edit {
		fs.BoolVar(&f.askPassword, "ask-password", false, "type a new password on the terminal, without echo")
	}
	want := 0
	if edit {
		want = 1
	}
	pos, err := parse(fs, args, want)
	if err != nil {
		return err
	}
	in, err := f.input(fs)
	if err != nil {
		return err
	}
	if !edit && in.URL == nil {
		return usagef("account add: --url is required")
	}
	who := "the account"
	if !edit {
		who = f.url
		if f.user != "" {
			who = f.user + " at " + f.url
		}
	}
	if in.Password, err = c.readPassword(f.passwordStdin, !edit || f.askPassword, who); err != nil {
		return err
	}
	return c.withServices(ctx, func(s *app.App) error {
		var a domain.Account
		var err error
		if edit {
			id, perr := parseID(pos[0])
			if perr != nil {
				return perr
			}
			a, err = s.Accounts.Update(ctx, id, in)
		} else {
			a, err = s.Accounts.Connect(ctx, in)
		}
		if err != nil {
			return err
		}
		if f.asJSON {
			return writeJSON(c.Stdout, jsonview.FromAccount(a))
		}
		if edit {
			fmt.Fprintf(c.Stdout, "Saved account %d (%s).\n", a.ID, a.Name)
		} else {
			fmt.Fprintf(c.Stdout, "Connected account %d (%s): %s server at %s\n", a.ID, a.Name, a.Type, a.URL)
		}
		return nil
	})
}
