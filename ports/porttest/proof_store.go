package porttest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ProofFixture is a new, empty ProofStore with the accounts its proofs
// may name: at least two.
type ProofFixture struct {
	Store      ports.ProofStore
	AccountIDs []int64
}

// TestProofStore runs the ProofStore contract.
func TestProofStore(t *testing.T, newFixture func(t *testing.T) ProofFixture) {
	at := time.Date(2026, 3, 29, 2, 30, 0, 123456789, time.FixedZone("CEST", 2*60*60))
	sum := strings.Repeat("ab", 20)
	setup := func(t *testing.T) (ports.ProofStore, []int64) {
		t.Helper()
		fx := newFixture(t)
		if len(fx.AccountIDs) < 2 {
			t.Fatalf("the fixture has %d accounts, want at least 2", len(fx.AccountIDs))
		}
		return fx.Store, fx.AccountIDs
	}
	proven := func(acc int64, p string) domain.Proof {
		return domain.Proof{AccountID: acc, RemotePath: p, Size: 42, SHA1: sum, Method: domain.ProofServerHash, ProvenAt: at}
	}

	t.Run("SaveAndRead", func(t *testing.T) {
		s, acc := setup(t)
		ctx := context.Background()
		b := proven(acc[0], "/B/b.jpg")
		a := domain.Proof{RemotePath: "/B/a.jpg", Size: 7, CheckedAt: at, Problem: domain.GapMissing}
		if err := s.SaveProofs(ctx, acc[0], []domain.Proof{b, a}, nil); err != nil {
			t.Fatalf("SaveProofs: %v", err)
		}
		if err := s.SaveProofs(ctx, acc[1], []domain.Proof{proven(acc[1], "/B/b.jpg")}, nil); err != nil {
			t.Fatalf("SaveProofs of the second account: %v", err)
		}
		got, err := s.Proofs(ctx, acc[0])
		if err != nil {
			t.Fatalf("Proofs: %v", err)
		}
		if len(got) != 2 || got[0].RemotePath != "/B/a.jpg" || got[1].RemotePath != "/B/b.jpg" {
			t.Fatalf("Proofs = %+v, want a.jpg then b.jpg", got)
		}
		if got[0].AccountID != acc[0] || got[0].Problem != domain.GapMissing || !got[0].CheckedAt.Equal(at) || got[0].SHA1 != "" || !got[0].ProvenAt.IsZero() {
			t.Errorf("unproven proof read back as %+v", got[0])
		}
		g := got[1]
		if g.SHA1 != sum || g.Size != 42 || g.Method != domain.ProofServerHash || !g.ProvenAt.Equal(at) || !g.CheckedAt.IsZero() || g.Problem != "" {
			t.Errorf("proof read back as %+v, want %+v", g, b)
		}
	})

	t.Run("UpsertAndRemove", func(t *testing.T) {
		s, acc := setup(t)
		ctx := context.Background()
		if err := s.SaveProofs(ctx, acc[0], []domain.Proof{proven(acc[0], "/x.jpg"), proven(acc[0], "/y.jpg")}, nil); err != nil {
			t.Fatal(err)
		}
		later := proven(acc[0], "/x.jpg")
		later.Method, later.ProvenAt, later.Problem = domain.ProofReadBack, at.Add(time.Hour), domain.GapChanged+" (ETag)"
		if err := s.SaveProofs(ctx, acc[0], []domain.Proof{later}, []string{"/y.jpg", "/never.jpg"}); err != nil {
			t.Fatalf("SaveProofs: %v", err)
		}
		got, err := s.Proofs(ctx, acc[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Method != domain.ProofReadBack || !got[0].ProvenAt.Equal(later.ProvenAt) || got[0].Problem != later.Problem {
			t.Errorf("Proofs = %+v, want only the updated /x.jpg", got)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		s, acc := setup(t)
		ctx := context.Background()
		for name, p := range map[string]domain.Proof{
			"other account": proven(acc[1], "/a.jpg"),
			"path":          proven(acc[0], "a/../b.jpg"),
			"method":        {AccountID: acc[0], RemotePath: "/a.jpg", SHA1: sum, Method: "guess", ProvenAt: at},
		} {
			err := s.SaveProofs(ctx, acc[0], []domain.Proof{proven(acc[0], "/ok.jpg"), p}, nil)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%s: SaveProofs = %v, want EINVALID", name, err)
			}
		}
		if got, err := s.Proofs(ctx, acc[0]); err != nil || len(got) != 0 {
			t.Errorf("after refused saves: %+v, %v; want nothing saved", got, err)
		}
		if got, err := s.Proofs(ctx, acc[1]+1000); err != nil || len(got) != 0 {
			t.Errorf("Proofs of an unknown account = %+v, %v; want none", got, err)
		}
	})
}
