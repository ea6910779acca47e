// Package davtest runs real WebDAV servers for tests: an in-process
// golang.org/x/net/webdav server, rclone's and Apache's WebDAV servers as
// child processes, an in-process imitation of Nextcloud, and servers that fail
// in the ways a connection test must recognise (a TLS certificate from an
// unknown CA, a server that never answers, a closed port, a web server that
// does not speak WebDAV).
//
// Every Start function takes the test, listens on 127.0.0.1 only, waits until
// the server answers, and registers a cleanup that stops the server, reaps any
// process and removes its temporary folders. A server that cannot start fails
// the test with t.Fatalf; nothing is skipped, because a test that silently
// skips its server proves nothing.
//
//	func TestUpload(t *testing.T) {
//		for name, start := range map[string]func(testing.TB) *davtest.Server{
//			"x/net": davtest.StartXNet, "rclone": davtest.StartRclone, "apache": davtest.StartApache,
//		} {
//			t.Run(name, func(t *testing.T) {
//				s := start(t)
//				s.WriteFile(t, "Photos/a.jpg", jpeg) // what the server already has
//				// ... connect to s.URL with s.Username and s.Password ...
//			})
//		}
//	}
//
// The servers differ where real servers differ, and tests should meet each
// difference: Apache refuses PROPFIND with Depth: infinity (or without
// Depth) with 403, x/net and rclone answer it; rclone answers 404, not 409,
// to a PUT into a missing folder and 201, not 405, to MKCOL of an existing
// folder.
//
// StartNextcloud imitates a Nextcloud server (status.php, the OCS user API,
// both WebDAV endpoints, propagated ETags) and records the requests it gets;
// Nextcloud.Server gives its files as a plain Server.
//
// The external servers need Debian's rclone and apache2 packages; make test
// installs them.
package davtest
