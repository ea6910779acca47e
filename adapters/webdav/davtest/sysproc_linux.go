package davtest

import (
	"os"
	"syscall"
)

// sysProcAttr puts a server in its own process group, so it and its workers
// can be signalled together, and kills it when the test binary dies, so no
// server outlives a crashed test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// terminate asks a server to shut down cleanly.
func terminate(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }

// killGroup kills a server and every process of its group.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
