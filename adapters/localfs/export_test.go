package localfs

import "time"

// SetVersionFault makes each step op of s fail with what fault returns.
func SetVersionFault(s *VersionStore, fault func(op string) error) { s.fault = fault }

// SetWriterFault makes each step op of w's writes fail with what fault
// returns ("create", "write", "rename").
func SetWriterFault(w *Writer, fault func(op string) error) { w.fault = fault }

// SetWriterNow sets the clock w's RemoveTemps judges stale files by.
func SetWriterNow(w *Writer, now func() time.Time) { w.now = now }

// TempNameOf is the temporary name of base written by process pid of this
// machine (instance "" for this process's instance), or of another
// machine when otherHost is set.
func TempNameOf(base string, pid int, instance string, otherHost bool) string {
	o := thisProcess
	o.pid = pid
	if instance != "" {
		o.instance = instance
	}
	if otherHost {
		o.host = "0badc0de"
		if o.host == thisProcess.host {
			o.host = "0badc0df"
		}
	}
	return tempName(base, o, "0123456789abcdef")
}
