package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// RunReport is everything the store holds about one run (for %show).
type RunReport struct {
	Run  store.Run
	Spec *Spec // nil when the stored spec cannot be read
	// Arms (search runs), Pulls with their curves (search and tune runs),
	// Tuned (tune runs), Deployments (deploy runs), Baselines (compare
	// runs).
	Arms        []store.Arm
	Pulls       []store.Pull
	Tuned       *store.Tuned
	Deployments []store.Deployment
	Baselines   []store.Baseline
}

// Load reads run ref (an id, a name — its newest run of any kind — or ""
// for the newest run) with everything stored about it. If st is nil the
// default store is opened.
func Load(ctx context.Context, st *store.Store, ref string) (*RunReport, error) {
	if st == nil {
		var err error
		if st, err = store.Open(""); err != nil {
			return nil, err
		}
		defer st.Close()
	}
	run, err := st.FindRun(ctx, ref, "")
	if err != nil {
		return nil, err
	}
	r := &RunReport{Run: run}
	var spec Spec
	if json.Unmarshal(run.Spec, &spec) == nil && spec.Task != "" {
		r.Spec = &spec
	}
	if r.Arms, err = st.Arms(ctx, run.ID); err != nil {
		return nil, err
	}
	if r.Pulls, err = st.Pulls(ctx, run.ID, true); err != nil {
		return nil, err
	}
	if run.Kind == store.KindTune && run.Parent != 0 {
		if t, ok, err := st.LatestTuned(ctx, run.Parent, winnerArm(run)); err != nil {
			return nil, err
		} else if ok && t.Run == run.ID {
			r.Tuned = &t
		}
	}
	if r.Deployments, err = st.Deployments(ctx, run.ID); err != nil {
		return nil, err
	}
	if r.Baselines, err = st.Baselines(ctx, run.ID); err != nil {
		return nil, err
	}
	return r, nil
}

func winnerArm(run store.Run) string {
	var o struct{ Arm string }
	json.Unmarshal(run.Options, &o)
	return o.Arm
}

// Summary renders the report as text: the run line, then the leaderboard
// (search), the trials and best configuration (tune), the deployments
// (deploy) or the comparison (compare).
func (r *RunReport) Summary() string {
	var b strings.Builder
	b.WriteString(RunsTable([]store.Run{r.Run}))
	switch r.Run.Kind {
	case store.KindSearch:
		arms := append([]store.Arm(nil), r.Arms...)
		sort.SliceStable(arms, func(i, j int) bool { return better(arms[i].Mean, arms[j].Mean) })
		fmt.Fprintf(&b, "\n%-4s %-9s %-9s %5s %5s %-7s %s\n", "rank", "mean", "best", "pulls", "fails", "status", "arm")
		for i, a := range arms {
			fmt.Fprintf(&b, "%-4d %-9s %-9s %5d %5d %-7s %s\n", i+1, fmtQ(a.Mean), fmtQ(a.Best), a.Pulls, a.Failures, a.Status, a.Name)
		}
	case store.KindTune:
		fmt.Fprintf(&b, "\n%-5s %-5s %-9s %-7s %s\n", "trial", "rung", "score", "status", "hyperparameters")
		for _, p := range r.Pulls {
			fmt.Fprintf(&b, "%-5d %-5d %-9s %-7s %v\n", p.Seq, p.Rung, fmtQ(p.Score), p.Status, p.Hyper)
		}
		if r.Tuned != nil {
			fmt.Fprintf(&b, "best: %v (score %s at %s)\n", r.Tuned.Hyper, fmtQ(r.Tuned.Score), r.Tuned.Budget)
		}
	case store.KindDeploy:
		fmt.Fprintf(&b, "\n%-20s %-9s %-9s %-9s %s\n", "benchmark", "quality", "walltime", "validated", "actions")
		for _, d := range r.Deployments {
			v := "yes"
			if !d.Validated {
				v = "NO: " + d.Error
			}
			fmt.Fprintf(&b, "%-20s %-9s %-9s %-9s %s\n", d.Benchmark, fmtQ(d.Quality), fmtDur(d.Walltime), v, strings.Join(d.ActionNames, " "))
		}
	case store.KindCompare:
		b.WriteString("\n")
		b.WriteString(comparisonFromRows(r.Baselines).Table())
	}
	return b.String()
}

func better(a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	return !math.IsNaN(a) && a > b
}

// comparisonFromRows rebuilds a Comparison's table from stored rows (the
// overheads are recomputed from the stored times to target).
func comparisonFromRows(rows []store.Baseline) *Comparison {
	c := &Comparison{Results: map[string]map[string]*MethodResult{}, Target: map[string]float64{}}
	seenB, seenM := map[string]bool{}, map[string]bool{}
	for _, row := range rows {
		if !seenB[row.Benchmark] {
			seenB[row.Benchmark] = true
			c.Benchmarks = append(c.Benchmarks, row.Benchmark)
		}
		if !seenM[row.Method] {
			seenM[row.Method] = true
			c.Methods = append(c.Methods, row.Method)
			c.Results[row.Method] = map[string]*MethodResult{}
		}
		c.Results[row.Method][row.Benchmark] = &MethodResult{Method: row.Method, Benchmark: row.Benchmark, Quality: row.Quality,
			Walltime: row.Walltime, Found: row.Found, TimeToTarget: row.TimeToTarget, Actions: row.Actions}
	}
	var baselines []string
	for _, m := range c.Methods {
		if m != ClientMethod && len(c.Results[m]) > 0 && !isDefaultRow(c.Results[m]) {
			baselines = append(baselines, m)
		}
	}
	c.summarizeKeepingTimes(baselines)
	return c
}

// isDefaultRow recognizes the compiler default's rows: no actions at all.
func isDefaultRow(rs map[string]*MethodResult) bool {
	for _, r := range rs {
		if len(r.Actions) > 0 {
			return false
		}
	}
	return true
}

// summarizeKeepingTimes is summarize without recomputing times to target
// (stored rows have no curves).
func (c *Comparison) summarizeKeepingTimes(baselines []string) {
	saved := map[*MethodResult]time.Duration{}
	for _, m := range c.Results {
		for _, r := range m {
			saved[r] = r.TimeToTarget
		}
	}
	c.summarize(baselines)
	for r, t := range saved {
		r.TimeToTarget = t
	}
	c.Overheads = nil
	c.summarizeOverheads(baselines)
}

// RunsTable renders runs as a text table (for %runs).
func RunsTable(runs []store.Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %-14s %-8s %-10s %-8s %-11s %-20s %-9s %s\n", "id", "name", "kind", "task", "strategy", "status", "started", "duration", "winner")
	for _, r := range runs {
		dur := "—"
		if !r.Finished.IsZero() {
			dur = fmtDur(r.Finished.Sub(r.Started))
		}
		winner := r.Winner
		if winner != "" {
			winner += " (" + fmtQ(r.WinnerScore) + ")"
		}
		fmt.Fprintf(&b, "%-4d %-14s %-8s %-10s %-8s %-11s %-20s %-9s %s\n", r.ID, r.Name, r.Kind, r.Task, r.Strategy, r.Status,
			r.Started.Local().Format("2006-01-02 15:04:05"), dur, winner)
	}
	return b.String()
}
