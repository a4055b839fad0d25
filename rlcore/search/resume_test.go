package search

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// TestResumeContinuesAStoppedSearch interrupts a search, adds a pull that
// was started and never stored (as a killed process leaves one), and
// resumes it: the stored pulls are kept, the started one is run under its
// own seq, and the search ends at its budget with every seq stored once.
func TestResumeContinuesAStoppedSearch(t *testing.T) {
	st, ctx, cancel, spec := stoppableSearch(t, "resumed")
	var seen atomic.Int64
	first, err := Search(ctx, spec, Options{Strategy: "random", Budget: rlcore.Budget{Pulls: 14}, Workers: 2, Store: st,
		OnPull: func(PullEvent) {
			if seen.Add(1) == 5 {
				cancel()
			}
		}})
	if err != nil || first.Status != rlcore.Interrupted {
		t.Fatalf("first part: %v, status %v", err, first.Status)
	}
	bg := context.Background()
	jobs, err := st.Jobs(bg, first.RunID)
	if err != nil || len(jobs) != len(first.Pulls) {
		t.Fatalf("%d jobs recorded (%v), want one per started pull (%d)", len(jobs), err, len(first.Pulls))
	}
	lost := store.Job{Run: first.RunID, Seq: len(jobs), ID: jobs[0].ID + ".lost", ArmIndex: 3, Arm: spec.Arms()[3].String()}
	if err := st.AddJob(bg, lost); err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, p := range first.Pulls {
		if p.Status == store.PullInterrupted {
			interrupted++
		}
	}

	// Only the same spec continues the run.
	changed := synSpec("resumed")
	changed.Horizon = 22
	if _, err := Search(bg, changed, Options{Resume: true, Store: st}); err == nil || !strings.Contains(err.Error(), "Horizon was 21, is 22") {
		t.Fatalf("resuming with another horizon: %v", err)
	}
	if _, err := Search(bg, spec, Options{Resume: true, Store: st, Strategy: "grid"}); err == nil || !strings.Contains(err.Error(), "started with random") {
		t.Fatalf("resuming with another strategy: %v", err)
	}

	// One worker, so that the first pull to start is the first to finish
	// (with two, a later pull could finish first).
	var live []int
	res, err := Search(bg, spec, Options{Resume: true, Workers: 1, Store: st, OnPull: func(ev PullEvent) { live = append(live, ev.Pull.Seq) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.RunID != first.RunID || res.Status != rlcore.BudgetExhausted {
		t.Fatalf("resumed run %d (status %v), want run %d to end at its budget", res.RunID, res.Status, first.RunID)
	}
	if live[0] != lost.Seq {
		t.Fatalf("pulls after the resume %v: want the started one, %d, first", live, lost.Seq)
	}
	pulls, err := st.Pulls(bg, res.RunID, false)
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[int]int{}
	counted := 0
	for _, p := range pulls {
		seqs[p.Seq]++
		if p.Status != store.PullInterrupted {
			counted++
		}
		if p.Seq == lost.Seq && p.Arm != lost.Arm {
			t.Errorf("the started pull %d ran %s, want its own arm %s", p.Seq, p.Arm, lost.Arm)
		}
	}
	for s, n := range seqs {
		if n != 1 {
			t.Errorf("pull %d stored %d times", s, n)
		}
	}
	if counted != 14 || len(res.Pulls) != len(pulls) {
		t.Fatalf("%d pulls counted toward the budget of 14 (%d interrupted before the resume); result has %d of the %d stored", counted, interrupted, len(res.Pulls), len(pulls))
	}
	run, _ := st.FindRun(bg, "resumed", store.KindSearch)
	if run.Status != store.StatusBudget {
		t.Fatalf("run status %s after the resume", run.Status)
	}

	for _, tc := range []struct {
		name, want string
	}{
		{"resumed", "nothing to resume: the last run of resumed (run 1) ended with status budget"},
		{"never-ran", "nothing to resume: no such run"},
	} {
		if _, err := Search(bg, synSpec(tc.name), Options{Resume: true, Store: st}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("resuming %s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Search(bg, spec, Options{Resume: true, NoStore: true}); err == nil || !strings.Contains(err.Error(), "needs the run store") {
		t.Errorf("resuming without a store: %v", err)
	}
}
