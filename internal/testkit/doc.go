// Package testkit holds the small helpers that tests across the module
// share, so each is written once: polling with a deadline instead of
// sleeping (Poll, WaitFor), JSON requests to an HTTP API (Client), and
// building a binary of the module for a test that runs it as a process
// (Build).
//
// It uses the standard library only, and only tests import it (the
// architecture test in infra keeps both so): it wires no service and
// asserts nothing of its own beyond failing the test it is given when a
// request or a build cannot be made at all.
package testkit
