package cli

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// uploadUsage is the synopsis of the upload command.
const uploadUsage = "photosync upload --account ID [--folder PATH] [--size fit_1920] [--no-raw] [--no-video] [--no-sidecars] [--expire-days N] [--json] PHOTO...|--all"

// upload runs `photosync upload`: it sends the given photos (by ID, see
// `photosync photos`), or all of them, to an account's folder as a job and
// follows it to its end, with a progress bar on a terminal and plain lines
// otherwise. The folder and size default to the account's upload settings.
// It exits with 1 when a file failed.
func (c *CLI) upload(ctx context.Context, args []string) error {
	fs := newFlags("upload")
	account := fs.Int64("account", 0, "the account to upload to (see 'photosync account list')")
	folder := fs.String("folder", "", "the remote folder (default: the account's upload folder)")
	size := fs.String("size", "", "original, fit_720, fit_1280, fit_1920, fit_2560 or fit_4096 (default: the account's upload size)")
	noRaw := fs.Bool("no-raw", false, "leave RAW files out")
	noVideo := fs.Bool("no-video", false, "leave videos out")
	noSidecars := fs.Bool("no-sidecars", false, "leave sidecars (.xmp, .aae, .json) out")
	expireDays := fs.Int("expire-days", 0, "remove the uploaded files from the server after N days, 1 to 3650 (default: never)")
	all := fs.Bool("all", false, "upload every photo of the library")
	asJSON := fs.Bool("json", false, "print only the job as JSON when it ends")
	shareLink := fs.Bool("share-link", false, "make a public link to the folder once the files are there (Nextcloud)")
	shareExpires := fs.String("share-expires", "", "the day the public link stops working, YYYY-MM-DD")
	pos, err := parseUploadArgs(fs, args)
	if err != nil {
		return err
	}
	if *account <= 0 {
		return usagef("upload: --account ID is required\nusage: %s", uploadUsage)
	}
	if *size != "" && !domain.ValidUploadSize(*size) {
		return usagef("upload: --size must be one of %s", strings.Join(domain.UploadSizes, ", "))
	}
	expireAfter, err := domain.ExpireAfterDays(*expireDays)
	if err != nil {
		return usagef("upload: --expire-days must be between 1 and %d", domain.MaxExpireDays)
	}
	var ids []int64
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return usagef("upload: %q is not a photo ID (see 'photosync photos')", p)
		}
		ids = append(ids, id)
	}
	switch {
	case *all && len(ids) > 0:
		return usagef("upload: give photo IDs or --all, not both")
	case !*all && len(ids) == 0:
		return usagef("upload: give the IDs of the photos to upload, or --all\nusage: %s", uploadUsage)
	}
	var share *domain.ShareOptions
	if *shareLink {
		expires, err := domain.ParseShareExpiry(*shareExpires)
		if err != nil {
			return usagef("upload: --share-expires: %s", domain.ErrorMessage(err))
		}
		// The link's password, like the account's, never comes from a flag.
		share = &domain.ShareOptions{Expires: expires, Password: domain.Secret(c.Getenv("PHOTOSYNC_SHARE_PASSWORD"))}
	} else if *shareExpires != "" {
		return usagef("upload: --share-expires needs --share-link")
	}
	return c.withServices(ctx, func(s *app.App) error {
		up, jobs := s.Uploader, s.Jobs
		req, err := up.Prepare(ctx, app.UploadRequest{
			AccountID: *account, PhotoIDs: ids, All: *all, Share: share,
			Options: domain.UploadOptions{
				Folder: *folder, Size: *size,
				IncludeRaw: !*noRaw, IncludeVideo: !*noVideo, IncludeSidecars: !*noSidecars,
				ExpireAfter: expireAfter,
			},
		})
		if err != nil {
			return err
		}
		job, err := jobs.Start(ctx, domain.JobUpload, req.AccountID, func(ctx context.Context, p *app.Progress) error {
			return up.Upload(ctx, req, p)
		})
		if err != nil {
			return err
		}
		return c.follow(ctx, jobs, job.ID, *asJSON)
	})
}

// parseUploadArgs parses flags given before, between or after any number
// of positional arguments and returns those.
func parseUploadArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagHelp(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
