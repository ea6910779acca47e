package app

import (
	"context"
	"fmt"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ShareFolder makes a public link to folder on st, with the expiry and
// password of opts, and returns its URL: the share link an upload can ask
// for, made once its files are on the server. opts must have been
// normalised (domain.ShareOptions.Normalize) when the upload was asked
// for.
//
// Only storages with the ports.ShareLinker capability (Nextcloud) make
// links: EINVALID for others, said so that a person knows to turn the link
// off. The server's errors keep their code and message (ENOTFOUND,
// EINVALID or EFORBIDDEN with Nextcloud's reason, EUNAUTHORIZED, ...). The
// password goes to the server and nowhere else.
func ShareFolder(ctx context.Context, st ports.RemoteStorage, folder string, opts domain.ShareOptions) (string, error) {
	folder, err := domain.CleanRemotePath(folder)
	if err != nil {
		return "", err
	}
	linker, ok := st.(ports.ShareLinker)
	if !ok {
		return "", domain.Errorf(domain.EINVALID, "share link: this server cannot make public links (only Nextcloud can)")
	}
	link, err := linker.ShareLink(ctx, folder, opts.Expires, opts.Password.Reveal())
	if err != nil {
		return "", fmt.Errorf("share %s: %w", folder, err)
	}
	return link, nil
}

// PrepareShare checks an upload's request for a share link before the
// upload starts, so that a link that cannot be made is refused at once
// rather than after the files are sent: EINVALID when the account is not
// a Nextcloud one, or for an expiry date that is not after today (at now)
// or an unusable password. It normalises opts.
func PrepareShare(a domain.Account, opts *domain.ShareOptions, now time.Time) error {
	if a.Type != domain.TypeNextcloud {
		return domain.Errorf(domain.EINVALID, "share link: %s is not a Nextcloud server; only Nextcloud makes public links", a.Name)
	}
	return opts.Normalize(now)
}
