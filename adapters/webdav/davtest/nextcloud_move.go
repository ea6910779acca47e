package davtest

import (
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// davMoveCopy moves or copies a file or folder to the Destination header's
// path on the same endpoint, as Sabre does: 201 for a new destination, 204
// for a replaced one, 412 when Overwrite: F forbids replacing it.
func (n *Nextcloud) davMoveCopy(w http.ResponseWriter, r *http.Request, root davRoot, src davTarget) {
	dest := r.Header.Get("Destination")
	if dest == "" {
		davErrorf(http.StatusBadRequest, "BadRequest", "The destination header was not supplied").write(w)
		return
	}
	u, err := url.Parse(dest)
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", "The destination header is not a URL").write(w)
		return
	}
	dst, derr := n.resolve(root, u.Path, loggedInUser(r))
	if derr != nil {
		derr.write(w)
		return
	}
	if derr := nameAllowed(dst.rel); derr != nil {
		derr.write(w)
		return
	}
	overwrite := !strings.EqualFold(strings.TrimSpace(r.Header.Get("Overwrite")), "F")

	n.files.tree.Lock()
	defer n.files.tree.Unlock()
	srcAbs, dstAbs := n.files.abs(src.rel), n.files.abs(dst.rel)
	if src.rel == "" || dst.rel == "" {
		forbidden("The home folder cannot be moved, copied or replaced").write(w)
		return
	}
	if _, err := os.Stat(srcAbs); err != nil {
		statError(err, src.rel).write(w)
		return
	}
	if src.rel == dst.rel {
		forbidden("Source and destination uri are identical.").write(w)
		return
	}
	if _, inside := below(dst.rel, src.rel); inside {
		forbidden("A folder cannot be moved or copied into itself").write(w)
		return
	}
	if fi, err := os.Stat(n.files.abs(parentRel(dst.rel))); err != nil || !fi.IsDir() {
		conflict("The destination node is not found").write(w)
		return
	}
	_, err = os.Stat(dstAbs)
	existed := err == nil
	if existed && !overwrite {
		davErrorf(http.StatusPreconditionFailed, "PreconditionFailed",
			"The destination node already exists, and the overwrite header is set to false").write(w)
		return
	}
	if existed {
		if err := os.RemoveAll(dstAbs); err != nil {
			internalError(err).write(w)
			return
		}
	}
	if r.Method == "MOVE" {
		if err := os.Rename(srcAbs, dstAbs); err != nil {
			internalError(err).write(w)
			return
		}
		n.files.moved(src.rel, dst.rel)
	} else {
		if err := copyTree(srcAbs, dstAbs); err != nil {
			internalError(err).write(w)
			return
		}
		n.files.copied(dst.rel)
	}
	w.Header().Set("Content-Length", "0")
	if existed {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
}

// copyTree copies a file, or a folder with everything in it.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.Mkdir(target, 0o755)
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
