package app

import (
	"context"
	"fmt"

	"github.com/photosync/photosync/domain"
)

// ByConfirmation is a person's run that confirms what the guard held back
// (see guard): it replaces as many paired files as its plan says.
const ByConfirmation SyncTrigger = BySchedule + 1

// byPerson reports whether a person started the run.
func (t SyncTrigger) byPerson() bool { return t == ByHand || t == ByConfirmation }

// guard holds back what a run must not do without a person's word, and
// returns the plan to carry out and, when it held something, why:
//   - a run that would replace more paired files than the limit
//     (SyncConfig.MaxChanges, else domain.ReplacementLimit) replaces none
//     of them; new files still move, they destroy nothing;
//   - the first run of a sync, when the scheduler starts it and it would
//     move more files than the limit, moves nothing: the person sees the
//     plan first (a run started by hand is that person's decision
//     already, and a small first sync goes ahead).
//
// A run started ByConfirmation is never held.
func (s *Syncer) guard(ctx context.Context, a domain.Account, by SyncTrigger, runID int64, plan domain.SyncPlan, pairs int) (domain.SyncPlan, string) {
	if by == ByConfirmation {
		return plan, ""
	}
	sum := plan.Summary()
	limit := domain.ReplacementLimit(pairs, s.cfg.MaxChanges)
	if (by == BySchedule || by == ByWatcher) && pairs == 0 && sum.Downloads+sum.Uploads > limit {
		first, err := s.firstRun(ctx, a.ID, runID)
		if err != nil {
			s.log.WarnContext(ctx, "sync: cannot tell whether this is the account's first run", "account", a.ID, "err", err)
		}
		if first {
			why := "the first sync waits for confirmation: it would " + sum.String()
			held, _ := plan.Hold(domain.SyncAction.Moves, why)
			return held, why
		}
	}
	if n := sum.Replacements(); n > limit {
		why := fmt.Sprintf("waits for confirmation: this run would replace %d paired files (more than %d): %s", n, limit, sum)
		held, _ := plan.Hold(domain.SyncAction.Replaces, why)
		return held, why
	}
	return plan, ""
}

// firstRun reports whether the account's sync has never run through:
// no earlier run (but dry runs and runs that held their plan back, the
// last 20 looked at) completed.
func (s *Syncer) firstRun(ctx context.Context, accountID, runID int64) (bool, error) {
	runs, err := s.store.Runs(ctx, accountID, 20)
	if err != nil {
		return false, err
	}
	for _, r := range runs {
		if r.ID != runID && !r.DryRun && r.Complete && r.Error == "" {
			return false, nil
		}
	}
	return true, nil
}

// noteHeld marks the account as waiting for a person, with what the run
// would do.
func (s *Syncer) noteHeld(ctx context.Context, id int64, why string) {
	if err := s.accounts.MarkNeedsReview(ctx, id, why); err != nil {
		s.log.WarnContext(ctx, "sync: cannot mark the account as waiting for confirmation", "account", id, "err", err)
	}
}
