package porttest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestJobStore runs the JobStore contract. newStore must return a new,
// empty store each time it is called; it is called once per subtest.
//
// Besides the behaviour documented on ports.JobStore, the suite expects a
// store to keep times to at least the microsecond, to keep the first
// domain.MaxJobErrors file errors and drop the rest, to keep no reference
// to the caller's Errors slice, and to list with a Limit of 0 at most
// domain.DefaultJobLimit jobs.
func TestJobStore(t *testing.T, newStore func(t *testing.T) ports.JobStore) {
	t.Run("CreateSetsIDAndCreatedAt", func(t *testing.T) {
		s := newStore(t)
		a := domain.Job{Kind: domain.JobIndex, State: domain.JobQueued}
		mustCreateJob(t, s, &a)
		if a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("CreateJob set ID %d and CreatedAt %v, want both set", a.ID, a.CreatedAt)
		}
		b := domain.Job{Kind: domain.JobUpload, AccountID: 1, State: domain.JobQueued}
		mustCreateJob(t, s, &b)
		if b.ID <= a.ID {
			t.Errorf("the second job got ID %d, the first %d: IDs must grow", b.ID, a.ID)
		}
		if got := mustJob(t, s, a.ID); !got.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("Job returned CreatedAt %v; CreateJob set %v", got.CreatedAt, a.CreatedAt)
		}
	})

	t.Run("RoundTripEveryField", func(t *testing.T) {
		full := fullJob()
		// BytesSent and a sync's index counts are live progress only:
		// stores do not keep them.
		if zero := zeroJobFields(full, "ID", "CreatedAt", "BytesSent",
			"IndexFilesTotal", "IndexFilesDone", "IndexBytesTotal", "IndexBytesDone"); len(zero) > 0 {
			t.Fatalf("fullJob leaves %v at the zero value: give the new fields a value", zero)
		}
		sparse := domain.Job{Kind: domain.JobIndex, State: domain.JobQueued}
		for name, want := range map[string]domain.Job{"full": full, "sparse": sparse} {
			t.Run(name, func(t *testing.T) {
				s := newStore(t)
				created := want
				created.Errors = slices.Clone(want.Errors)
				mustCreateJob(t, s, &created)
				want.ID, want.CreatedAt = created.ID, created.CreatedAt
				checkJob(t, "Job", mustJob(t, s, created.ID), want)
				list := mustJobs(t, s, domain.JobFilter{})
				if len(list) != 1 {
					t.Fatalf("Jobs returned %d jobs, want 1", len(list))
				}
				checkJob(t, "Jobs", list[0], want)

				// The same through an update of every field.
				other := domain.Job{Kind: domain.JobSync, State: domain.JobRunning}
				mustCreateJob(t, s, &other)
				got, err := s.UpdateJob(context.Background(), other.ID, func(j *domain.Job) error {
					id, createdAt := j.ID, j.CreatedAt
					*j = want
					j.Errors = slices.Clone(want.Errors)
					j.ID, j.CreatedAt = id, createdAt
					return nil
				})
				if err != nil {
					t.Fatalf("UpdateJob: %v", err)
				}
				want.ID, want.CreatedAt = other.ID, other.CreatedAt
				checkJob(t, "UpdateJob", got, want)
				checkJob(t, "Job after UpdateJob", mustJob(t, s, other.ID), want)
			})
		}
	})

	t.Run("ErrorsCappedAndCopied", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		j := domain.Job{Kind: domain.JobUpload, AccountID: 3, State: domain.JobRunning, Errors: jobErrors(domain.MaxJobErrors + 20)}
		mustCreateJob(t, s, &j)
		got := mustJob(t, s, j.ID)
		if want := jobErrors(domain.MaxJobErrors); !slices.Equal(got.Errors, want) {
			t.Fatalf("CreateJob with %d errors kept %d (first %v), want the first %d",
				domain.MaxJobErrors+20, len(got.Errors), jobErrorHead(got.Errors), domain.MaxJobErrors)
		}
		j.Errors[0].Message = "changed by the caller"
		got.Errors[1].Message = "changed by a reader"
		again := mustJob(t, s, j.ID)
		if again.Errors[0].Message != "message 0" || again.Errors[1].Message != "message 1" {
			t.Fatalf("changing a slice given to or returned by the store changed the stored errors: %v", jobErrorHead(again.Errors))
		}

		upd, err := s.UpdateJob(ctx, j.ID, func(x *domain.Job) error {
			x.Errors = append([]domain.JobError{{Path: "new.jpg", Message: "new"}}, jobErrors(domain.MaxJobErrors)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		stored := mustJob(t, s, j.ID)
		for what, got := range map[string]domain.Job{"UpdateJob": upd, "Job": stored} {
			if len(got.Errors) != domain.MaxJobErrors || got.Errors[0].Path != "new.jpg" || got.Errors[1].Path != "photo-0.jpg" {
				t.Errorf("%s after an update with %d errors: %d kept, first %v; want the first %d",
					what, domain.MaxJobErrors+1, len(got.Errors), jobErrorHead(got.Errors), domain.MaxJobErrors)
			}
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		j := domain.Job{Kind: domain.JobIndex, State: domain.JobQueued}
		mustCreateJob(t, s, &j)
		_, err := s.Job(ctx, j.ID+1)
		checkCode(t, "Job of a missing job", err, domain.ENOTFOUND)
		called := false
		_, err = s.UpdateJob(ctx, j.ID+1, func(*domain.Job) error { called = true; return nil })
		checkCode(t, "UpdateJob of a missing job", err, domain.ENOTFOUND)
		if called {
			t.Error("UpdateJob of a missing job called fn")
		}
	})

	t.Run("ListNewestFirstAndFiltered", func(t *testing.T) {
		s := newStore(t)
		if list := mustJobs(t, s, domain.JobFilter{}); len(list) != 0 {
			t.Fatalf("a new store lists %d jobs, want 0", len(list))
		}
		// kind and account of each job, in the order of creation.
		specs := []struct {
			kind    domain.JobKind
			account int64
		}{
			{domain.JobIndex, 0}, {domain.JobUpload, 1}, {domain.JobSync, 1}, {domain.JobUpload, 2},
			{domain.JobIndex, 0}, {domain.JobUpload, 1}, {domain.JobSync, 2},
		}
		var ids []int64
		for _, sp := range specs {
			j := domain.Job{Kind: sp.kind, AccountID: sp.account, State: domain.JobDone}
			mustCreateJob(t, s, &j)
			ids = append(ids, j.ID)
		}
		// want selects, newest first, the jobs that match.
		want := func(match func(kind domain.JobKind, account int64) bool) []int64 {
			var out []int64
			for i := len(specs) - 1; i >= 0; i-- {
				if match(specs[i].kind, specs[i].account) {
					out = append(out, ids[i])
				}
			}
			return out
		}
		for _, tc := range []struct {
			f    domain.JobFilter
			want []int64
		}{
			{domain.JobFilter{}, want(func(domain.JobKind, int64) bool { return true })},
			{domain.JobFilter{AccountID: 1}, want(func(_ domain.JobKind, a int64) bool { return a == 1 })},
			{domain.JobFilter{Kind: domain.JobUpload}, want(func(k domain.JobKind, _ int64) bool { return k == domain.JobUpload })},
			{domain.JobFilter{Kind: domain.JobIndex}, want(func(k domain.JobKind, _ int64) bool { return k == domain.JobIndex })},
			{domain.JobFilter{AccountID: 1, Kind: domain.JobUpload}, want(func(k domain.JobKind, a int64) bool { return a == 1 && k == domain.JobUpload })},
			{domain.JobFilter{AccountID: 2, Limit: 1}, []int64{ids[6]}},
			{domain.JobFilter{Limit: 3}, []int64{ids[6], ids[5], ids[4]}},
			{domain.JobFilter{AccountID: 9}, nil},
			{domain.JobFilter{Kind: "nonsense"}, nil},
		} {
			var got []int64
			for _, j := range mustJobs(t, s, tc.f) {
				got = append(got, j.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Jobs(%+v) returned IDs %v, want %v", tc.f, got, tc.want)
			}
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		s := newStore(t)
		var last int64
		for range domain.DefaultJobLimit + 5 {
			j := domain.Job{Kind: domain.JobIndex, State: domain.JobDone}
			mustCreateJob(t, s, &j)
			last = j.ID
		}
		list := mustJobs(t, s, domain.JobFilter{})
		if len(list) != domain.DefaultJobLimit || list[0].ID != last {
			t.Fatalf("Jobs with no limit returned %d jobs starting at %d, want %d starting at %d",
				len(list), list[0].ID, domain.DefaultJobLimit, last)
		}
		if n := len(mustJobs(t, s, domain.JobFilter{Limit: domain.DefaultJobLimit + 5})); n != domain.DefaultJobLimit+5 {
			t.Errorf("Jobs with Limit %d returned %d jobs", domain.DefaultJobLimit+5, n)
		}
	})

	t.Run("UpdateKeepsIdentityAndAbortsOnError", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		j := domain.Job{Kind: domain.JobUpload, AccountID: 4, State: domain.JobQueued}
		mustCreateJob(t, s, &j)
		got, err := s.UpdateJob(ctx, j.ID, func(x *domain.Job) error {
			x.ID = j.ID + 100
			x.CreatedAt = j.CreatedAt.Add(-time.Hour)
			x.State = domain.JobRunning
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != j.ID || !got.CreatedAt.Equal(j.CreatedAt) || got.State != domain.JobRunning {
			t.Fatalf("UpdateJob returned ID %d, CreatedAt %v, State %s; want ID %d, CreatedAt %v kept and the state changed",
				got.ID, got.CreatedAt, got.State, j.ID, j.CreatedAt)
		}
		stored := mustJob(t, s, j.ID)
		if !stored.CreatedAt.Equal(j.CreatedAt) || stored.State != domain.JobRunning {
			t.Fatalf("after UpdateJob the store has CreatedAt %v, State %s", stored.CreatedAt, stored.State)
		}
		if _, err := s.Job(ctx, j.ID+100); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("UpdateJob that changed the ID made a job %d (err %v)", j.ID+100, err)
		}

		boom := errors.New("boom")
		_, err = s.UpdateJob(ctx, j.ID, func(x *domain.Job) error {
			x.State = domain.JobFailed
			x.FilesDone = 99
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("UpdateJob returned %v, want fn's error", err)
		}
		if after := mustJob(t, s, j.ID); after.State != domain.JobRunning || after.FilesDone != 0 {
			t.Fatalf("an update that failed changed the job: state %s, files done %d", after.State, after.FilesDone)
		}
	})

	t.Run("ConcurrentUpdates", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		j := domain.Job{Kind: domain.JobUpload, AccountID: 1, State: domain.JobRunning}
		mustCreateJob(t, s, &j)
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range rounds {
					_, err := s.UpdateJob(ctx, j.ID, func(x *domain.Job) error {
						n := x.FilesDone
						runtime.Gosched() // let another update run between read and write, if it can
						x.FilesDone = n + 1
						return nil
					})
					if err != nil {
						t.Errorf("UpdateJob: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := mustJob(t, s, j.ID).FilesDone; got != workers*rounds {
			t.Fatalf("FilesDone is %d after %d concurrent increments: updates were lost", got, workers*rounds)
		}
	})
}

// fullJob returns a job with every field but ID and CreatedAt set to
// something other than its zero value.
func fullJob() domain.Job {
	// Microseconds, in a zone other than UTC: stores keep the instant.
	zone := time.FixedZone("CEST", 2*60*60)
	return domain.Job{
		Kind:       domain.JobUpload,
		AccountID:  7,
		State:      domain.JobPartial,
		FilesTotal: 12,
		FilesDone:  11,
		BytesTotal: 5 << 30, // beyond 32 bits
		BytesDone:  4<<30 + 123,
		Uploaded:   6,
		Downloaded: 2,
		Skipped:    2,
		Failed:     1,
		Errors: []domain.JobError{
			{Path: "2024/Über uns/IMG_0001.JPG", Message: "the server stored 0 of 2048 bytes"},
			{Path: "it's \"quoted\".dng", Message: "the server answered 507: insufficient storage"},
		},
		Error:      "interrupted: photosync stopped while it ran",
		Link:       "https://cloud.example.com/index.php/s/AbCdEfGhIjKlMnO",
		LinkError:  "Nextcloud did not share /Photos: Password needs to be at least 10 characters long.",
		StartedAt:  time.Date(2024, 2, 29, 23, 59, 58, 123456000, zone),
		FinishedAt: time.Date(2024, 3, 1, 0, 1, 2, 654321000, zone),
	}
}

func jobErrors(n int) []domain.JobError {
	out := make([]domain.JobError, n)
	for i := range out {
		out[i] = domain.JobError{Path: fmt.Sprintf("photo-%d.jpg", i), Message: fmt.Sprintf("message %d", i)}
	}
	return out
}

func jobErrorHead(errs []domain.JobError) []domain.JobError {
	return errs[:min(len(errs), 2)]
}

// zeroJobFields names the fields of j that hold their zero value, except
// the ones listed in skip.
func zeroJobFields(j domain.Job, skip ...string) []string {
	var zero []string
	v := reflect.ValueOf(j)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if v.Field(i).IsZero() && !slices.Contains(skip, name) {
			zero = append(zero, name)
		}
	}
	return zero
}

// checkJob compares every field of got and want by reflection, so that a
// field added to domain.Job is compared without changing this suite: times
// with time.Equal, Errors with nil equal to empty.
func checkJob(t *testing.T, what string, got, want domain.Job) {
	t.Helper()
	if len(got.Errors) == 0 && len(want.Errors) == 0 {
		got.Errors, want.Errors = nil, nil
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		if !sameValue(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s: %s is %#v, want %#v", what, name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

func mustCreateJob(t *testing.T, s ports.JobStore, j *domain.Job) {
	t.Helper()
	if err := s.CreateJob(context.Background(), j); err != nil {
		t.Fatalf("CreateJob(%s): %v", j.Kind, err)
	}
}

func mustJob(t *testing.T, s ports.JobStore, id int64) domain.Job {
	t.Helper()
	j, err := s.Job(context.Background(), id)
	if err != nil {
		t.Fatalf("Job(%d): %v", id, err)
	}
	return j
}

func mustJobs(t *testing.T, s ports.JobStore, f domain.JobFilter) []domain.Job {
	t.Helper()
	list, err := s.Jobs(context.Background(), f)
	if err != nil {
		t.Fatalf("Jobs(%+v): %v", f, err)
	}
	return list
}
