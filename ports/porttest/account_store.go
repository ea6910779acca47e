// Package porttest holds one contract suite per port. Every implementation
// of a port (SQLite, in-memory, PostgreSQL, ...) runs the same suite from
// its own tests, so that the implementations cannot drift apart:
//
//	func TestAccountStore(t *testing.T) {
//		porttest.TestAccountStore(t, func(t *testing.T) ports.AccountStore {
//			return sqlite.NewAccountStore(openDB(t))
//		})
//	}
//
// The suites use only the standard library, so they also build for
// GOOS=wasip1.
package porttest

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestAccountStore runs the AccountStore contract. newStore must return a
// new, empty store each time it is called; it is called once per subtest.
//
// Besides the behaviour documented on ports.AccountStore, the suite expects
// a store to keep times to at least the microsecond, Timeout to at least the
// millisecond and SyncInterval to at least the second, and to keep no
// reference to the caller's Secret slice.
func TestAccountStore(t *testing.T, newStore func(t *testing.T) ports.AccountStore) {
	t.Run("CreateSetsIDAndTimes", func(t *testing.T) {
		s := newStore(t)
		a := fullAccount("Home")
		mustCreateAccount(t, s, &a)
		if a.ID == 0 {
			t.Fatal("CreateAccount left ID at 0")
		}
		if a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() {
			t.Errorf("CreateAccount set CreatedAt %v and UpdatedAt %v, want both set", a.CreatedAt, a.UpdatedAt)
		}

		b := fullAccount("Office")
		mustCreateAccount(t, s, &b)
		if b.ID == a.ID {
			t.Errorf("two accounts got the same ID %d", a.ID)
		}

		got := mustAccount(t, s, a.ID)
		if !got.CreatedAt.Equal(a.CreatedAt) || !got.UpdatedAt.Equal(a.UpdatedAt) {
			t.Errorf("Account returned CreatedAt %v, UpdatedAt %v; CreateAccount set %v, %v",
				got.CreatedAt, got.UpdatedAt, a.CreatedAt, a.UpdatedAt)
		}
	})

	t.Run("RoundTripEveryField", func(t *testing.T) {
		full := fullAccount("Every field set")
		if zero := zeroFields(full, "ID", "CreatedAt", "UpdatedAt"); len(zero) > 0 {
			t.Fatalf("fullAccount leaves %v at the zero value: give the new fields a value", zero)
		}
		for _, want := range []domain.Account{full, sparseAccount("Zero values")} {
			t.Run(want.Name, func(t *testing.T) {
				s := newStore(t)
				created := want
				created.Secret = bytes.Clone(want.Secret)
				mustCreateAccount(t, s, &created)
				want.ID, want.CreatedAt, want.UpdatedAt = created.ID, created.CreatedAt, created.UpdatedAt
				checkAccount(t, "Account", mustAccount(t, s, created.ID), want)

				list := mustAccounts(t, s)
				if len(list) != 1 {
					t.Fatalf("Accounts returned %d accounts, want 1", len(list))
				}
				checkAccount(t, "Accounts", list[0], want)
			})
		}
	})

	t.Run("EachBooleanAlone", func(t *testing.T) {
		// One account per boolean field with only that field true: a store
		// that mixes up two boolean columns fails here.
		s := newStore(t)
		v := reflect.ValueOf(domain.Account{})
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Type.Kind() != reflect.Bool {
				continue
			}
			want := sparseAccount("Only " + f.Name)
			reflect.ValueOf(&want).Elem().Field(i).SetBool(true)
			created := want
			mustCreateAccount(t, s, &created)
			want.ID, want.CreatedAt, want.UpdatedAt = created.ID, created.CreatedAt, created.UpdatedAt
			checkAccount(t, "Account", mustAccount(t, s, created.ID), want)
		}
	})

	t.Run("SecretIsCopied", func(t *testing.T) {
		s := newStore(t)
		a := fullAccount("Home")
		want := bytes.Clone(a.Secret)
		mustCreateAccount(t, s, &a)
		a.Secret[0] ^= 0xff // the caller reuses its buffer
		got := mustAccount(t, s, a.ID)
		if !bytes.Equal(got.Secret, want) {
			t.Fatalf("changing the slice passed to CreateAccount changed the stored secret: %x, want %x", got.Secret, want)
		}
		got.Secret[0] ^= 0xff // a caller changes what it was given
		if again := mustAccount(t, s, a.ID); !bytes.Equal(again.Secret, want) {
			t.Fatalf("changing a returned Secret changed the stored secret: %x, want %x", again.Secret, want)
		}
	})

	t.Run("ListOrderedByID", func(t *testing.T) {
		s := newStore(t)
		if list := mustAccounts(t, s); len(list) != 0 {
			t.Fatalf("a new store lists %d accounts, want 0", len(list))
		}
		// Names in reverse alphabetical order, so that an order by name
		// shows; a deletion leaves a gap.
		ids := map[string]int64{}
		for _, name := range []string{"Zeta", "Mu", "Alpha"} {
			a := fullAccount(name)
			mustCreateAccount(t, s, &a)
			ids[name] = a.ID
		}
		if err := s.DeleteAccount(context.Background(), ids["Mu"]); err != nil {
			t.Fatal(err)
		}
		delete(ids, "Mu")
		a := fullAccount("Beta")
		mustCreateAccount(t, s, &a)
		ids[a.Name] = a.ID

		var got []int64
		for _, a := range mustAccounts(t, s) {
			got = append(got, a.ID)
			if a.ID != ids[a.Name] {
				t.Errorf("Accounts returned %q with ID %d, want %d", a.Name, a.ID, ids[a.Name])
			}
		}
		if want := slices.Sorted(maps.Values(ids)); !slices.Equal(got, want) {
			t.Fatalf("Accounts returned IDs %v, want %v", got, want)
		}
	})

	t.Run("CreateDuplicateName", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a := fullAccount("Home")
		mustCreateAccount(t, s, &a)
		b := sparseAccount("Home")
		err := s.CreateAccount(ctx, &b)
		checkCode(t, "CreateAccount with a taken name", err, domain.ECONFLICT)
		if list := mustAccounts(t, s); len(list) != 1 {
			t.Fatalf("after a refused CreateAccount the store lists %d accounts, want 1", len(list))
		}
		checkAccount(t, "Account", mustAccount(t, s, a.ID), a)
	})

	t.Run("Missing", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a := fullAccount("Home")
		mustCreateAccount(t, s, &a)
		missing := a.ID + 1000

		_, err := s.Account(ctx, missing)
		checkCode(t, "Account", err, domain.ENOTFOUND)
		called := false
		_, err = s.UpdateAccount(ctx, missing, func(*domain.Account) error { called = true; return nil })
		checkCode(t, "UpdateAccount", err, domain.ENOTFOUND)
		if called {
			t.Error("UpdateAccount called fn for a missing account")
		}
		checkCode(t, "DeleteAccount", s.DeleteAccount(ctx, missing), domain.ENOTFOUND)
		checkAccount(t, "Account", mustAccount(t, s, a.ID), a)
	})

	t.Run("Delete", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a, b := fullAccount("Home"), fullAccount("Office")
		mustCreateAccount(t, s, &a)
		mustCreateAccount(t, s, &b)
		if err := s.DeleteAccount(ctx, a.ID); err != nil {
			t.Fatalf("DeleteAccount: %v", err)
		}
		_, err := s.Account(ctx, a.ID)
		checkCode(t, "Account after DeleteAccount", err, domain.ENOTFOUND)
		checkCode(t, "DeleteAccount twice", s.DeleteAccount(ctx, a.ID), domain.ENOTFOUND)
		if list := mustAccounts(t, s); len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("after DeleteAccount the store lists %d accounts, want only %d", len(list), b.ID)
		}
		// The name is free again.
		c := sparseAccount("Home")
		mustCreateAccount(t, s, &c)
	})

	t.Run("Update", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a := sparseAccount("Home")
		mustCreateAccount(t, s, &a)
		changed := fullAccount("Home renamed")
		var seen domain.Account
		got, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error {
			seen = *x
			id, created, updated := x.ID, x.CreatedAt, x.UpdatedAt
			*x = changed
			x.ID, x.CreatedAt, x.UpdatedAt = id, created, updated
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateAccount: %v", err)
		}
		checkAccount(t, "the account fn was given", seen, a)

		want := changed
		want.ID, want.CreatedAt, want.UpdatedAt = a.ID, a.CreatedAt, got.UpdatedAt
		checkAccount(t, "UpdateAccount", got, want)
		checkAccount(t, "Account after UpdateAccount", mustAccount(t, s, a.ID), want)
		if !got.UpdatedAt.After(a.UpdatedAt) {
			t.Errorf("UpdatedAt went from %v to %v; it must advance", a.UpdatedAt, got.UpdatedAt)
		}

		// Back to all zero values, so that a store that skips false or
		// empty values shows.
		back, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error {
			id, created, updated := x.ID, x.CreatedAt, x.UpdatedAt
			*x = sparseAccount("Home")
			x.ID, x.CreatedAt, x.UpdatedAt = id, created, updated
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateAccount: %v", err)
		}
		want = a
		want.UpdatedAt = back.UpdatedAt
		checkAccount(t, "Account after the second UpdateAccount", mustAccount(t, s, a.ID), want)
		if !back.UpdatedAt.After(got.UpdatedAt) {
			t.Errorf("UpdatedAt went from %v to %v; it must advance", got.UpdatedAt, back.UpdatedAt)
		}
	})

	t.Run("UpdateFnErrorAborts", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a := fullAccount("Home")
		mustCreateAccount(t, s, &a)
		errStop := errors.New("stop")
		for _, fnErr := range []error{errStop, domain.Errorf(domain.EINVALID, "name: too long")} {
			_, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error {
				x.Name = "Changed"
				x.ErrorCount++
				x.Secret[0] ^= 0xff
				x.SyncEnabled = false
				return fnErr
			})
			if !errors.Is(err, fnErr) {
				t.Errorf("UpdateAccount returned %v, want the error from fn (%v)", err, fnErr)
			}
			if got, want := domain.ErrorCode(err), domain.ErrorCode(fnErr); got != want {
				t.Errorf("UpdateAccount returned code %s, want the code of fn's error %s", got, want)
			}
			checkAccount(t, "Account after an aborted UpdateAccount", mustAccount(t, s, a.ID), a)
		}
	})

	t.Run("UpdateToTakenName", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a, b := fullAccount("Home"), sparseAccount("Office")
		mustCreateAccount(t, s, &a)
		mustCreateAccount(t, s, &b)
		_, err := s.UpdateAccount(ctx, b.ID, func(x *domain.Account) error {
			x.Name = "Home"
			x.ErrorCount = 7
			return nil
		})
		checkCode(t, "UpdateAccount to a taken name", err, domain.ECONFLICT)
		checkAccount(t, "Account after a refused rename", mustAccount(t, s, b.ID), b)
		checkAccount(t, "Account that holds the name", mustAccount(t, s, a.ID), a)

		// Keeping one's own name is no conflict.
		if _, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error { x.ErrorCount++; return nil }); err != nil {
			t.Fatalf("UpdateAccount without a rename: %v", err)
		}
	})

	t.Run("ConcurrentUpdates", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		a := sparseAccount("Home")
		mustCreateAccount(t, s, &a)
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range rounds {
					_, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error {
						n := x.ErrorCount
						runtime.Gosched() // let another update run between read and write, if it can
						x.ErrorCount = n + 1
						return nil
					})
					if err != nil {
						t.Errorf("UpdateAccount: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := mustAccount(t, s, a.ID).ErrorCount; got != workers*rounds {
			t.Fatalf("ErrorCount is %d after %d concurrent increments: updates were lost", got, workers*rounds)
		}
	})
}

// fullAccount returns an account with every field but ID, CreatedAt and
// UpdatedAt set to something other than its zero value and its default.
func fullAccount(name string) domain.Account {
	return domain.Account{
		Name:              name,
		URL:               "https://cloud.example.com/remote.php/dav/files/ana%20maria/",
		Type:              domain.TypeNextcloud,
		Username:          "ana.maria@example.com",
		UserID:            "ana maria",
		Secret:            []byte{0x00, 0x01, 0xfe, 0xff, 's', 'e', 'a', 'l', 'e', 'd', 0x00},
		CACert:            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ2\n-----END CERTIFICATE-----\n",
		Timeout:           1500 * time.Millisecond,
		RetryLimit:        17,
		UploadEnabled:     true,
		UploadFolder:      "/Photos/Über uns",
		UploadSize:        domain.SizeFit2560,
		SyncEnabled:       true,
		SyncFolder:        "/Sync/Camera 'roll'",
		SyncInterval:      90 * time.Minute,
		SyncDownload:      true,
		SyncUpload:        true,
		SyncPreserveNames: true,
		SyncRaw:           true,
		SyncVideo:         true,
		SyncOnChange:      true,
		Status:            domain.StatusUnauthorized,
		// Microseconds, in a zone other than UTC: stores keep the instant.
		LastSyncAt: time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.FixedZone("CEST", 2*60*60)),
		LastError:  "the server rejected the user name or password",
		ErrorCount: 3,
	}
}

// sparseAccount returns an account with every field that may be empty at
// its zero value: booleans false, no secret, never synced.
func sparseAccount(name string) domain.Account {
	return domain.Account{
		Name:       name,
		URL:        "https://dav.example.org/",
		Type:       domain.TypeWebDAV,
		Timeout:    domain.DefaultTimeout,
		UploadSize: domain.SizeOriginal,
		Status:     domain.StatusOK,
		// The folders and the rest are left empty on purpose.
	}
}

// zeroFields names the fields of a that hold their zero value, except the
// ones listed in skip.
func zeroFields(a domain.Account, skip ...string) []string {
	var zero []string
	v := reflect.ValueOf(a)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if v.Field(i).IsZero() && !slices.Contains(skip, name) {
			zero = append(zero, name)
		}
	}
	return zero
}

// checkAccount compares every field of got and want by reflection, so that a
// field added to domain.Account is compared without changing this suite:
// times with time.Equal, byte slices with bytes.Equal (nil equals empty).
func checkAccount(t *testing.T, what string, got, want domain.Account) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		if !sameValue(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s: %s is %#v, want %#v", what, name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

func sameValue(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g := got.(time.Time)
		if w.IsZero() || g.IsZero() {
			return w.IsZero() && g.IsZero()
		}
		return g.UTC().Equal(w.UTC())
	case []byte:
		return bytes.Equal(got.([]byte), w)
	default:
		return reflect.DeepEqual(got, want)
	}
}

// checkCode fails unless err carries the given domain error code.
func checkCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Errorf("%s returned %v (code %q), want code %s", what, err, got, code)
	}
}

func mustCreateAccount(t *testing.T, s ports.AccountStore, a *domain.Account) {
	t.Helper()
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("CreateAccount(%q): %v", a.Name, err)
	}
}

func mustAccount(t *testing.T, s ports.AccountStore, id int64) domain.Account {
	t.Helper()
	a, err := s.Account(context.Background(), id)
	if err != nil {
		t.Fatalf("Account(%d): %v", id, err)
	}
	return a
}

func mustAccounts(t *testing.T, s ports.AccountStore) []domain.Account {
	t.Helper()
	list, err := s.Accounts(context.Background())
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	return list
}
