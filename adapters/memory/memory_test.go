package memory_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func clock() *memory.Clock { return memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) }

func TestAccountStore(t *testing.T) {
	porttest.TestAccountStore(t, func(t *testing.T) ports.AccountStore { return memory.NewAccountStore(clock()) })
}

func TestSessionStore(t *testing.T) {
	porttest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return memory.NewSessionStore() })
}

func TestSettingStore(t *testing.T) {
	porttest.TestSettingStore(t, func(t *testing.T) ports.SettingStore { return memory.NewSettingStore() })
}

func TestRemoteStorage(t *testing.T) {
	porttest.TestRemoteStorage(t, func(t *testing.T) ports.RemoteStorage { return memory.NewRemote(memory.NewServer(clock())) })
}
