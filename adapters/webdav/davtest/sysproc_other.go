//go:build !linux

package davtest

import (
	"os"
	"syscall"
)

// sysProcAttr answers nil: only Linux has the process-group and
// parent-death settings the child-process servers use.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// terminate asks a server to shut down.
func terminate(p *os.Process) { _ = p.Signal(os.Interrupt) }

// killGroup kills a server.
func killGroup(p *os.Process) { _ = p.Kill() }
