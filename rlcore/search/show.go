package search

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// RunReport is everything the store holds about one run (for %show).
type RunReport struct {
	Run  store.Run
	Spec *Spec // nil when the stored spec cannot be read
	// Arms (search runs), Pulls with their curves (search and tune runs),
	// Tuned (tune runs), Policies without weights (train runs: one per
	// round), Deployments (deploy runs), Baselines (compare runs).
	Arms        []store.Arm
	Pulls       []store.Pull
	Tuned       *store.Tuned
	Policies    []store.Policy
	Deployments []store.Deployment
	Baselines   []store.Baseline
}

// Load reads run ref (an id, a name — its newest run of any kind — or ""
// for the newest run) with everything stored about it. If st is nil the
// default store is opened.
func Load(ctx context.Context, st *store.Store, ref string) (*RunReport, error) {
	return LoadPhase(ctx, st, ref, "")
}

// Phases are the kinds of runs, one per phase: what --phase accepts.
var Phases = []string{store.KindSearch, store.KindTune, store.KindTrain, store.KindDeploy, store.KindCompare}

// CheckPhase accepts "" (any phase) or one of Phases.
func CheckPhase(phase string) error {
	if phase == "" {
		return nil
	}
	for _, p := range Phases {
		if p == phase {
			return nil
		}
	}
	return fmt.Errorf("phase %q: want %s", phase, strings.Join(Phases, ", "))
}

// LoadPhase is Load restricted to runs of one phase (search, tune, deploy
// or compare; "" for any): the phases of one task share its name, so
// "cs" with phase "deploy" is the newest deploy run named cs.
func LoadPhase(ctx context.Context, st *store.Store, ref, phase string) (*RunReport, error) {
	if err := CheckPhase(phase); err != nil {
		return nil, err
	}
	if st == nil {
		var err error
		if st, err = store.Open(""); err != nil {
			return nil, err
		}
		defer st.Close()
	}
	run, err := st.FindRun(ctx, ref, phase)
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
	if run.Kind == store.KindTrain {
		if r.Policies, err = st.Policies(ctx, run.ID); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func winnerArm(run store.Run) string {
	var o struct{ Arm string }
	json.Unmarshal(run.Options, &o)
	return o.Arm
}

// Summary renders the report as text: the run line, then the trials and
// best configuration (tune), the deployments (deploy) or the comparison
// (compare). A search's arms are its leaderboard (StoredArms), which
// widgets/searchview shows.
func (r *RunReport) Summary() string {
	var b strings.Builder
	b.WriteString(RunsTable([]store.Run{r.Run}))
	switch r.Run.Kind {
	case store.KindTune:
		fmt.Fprintf(&b, "\n%-5s %-5s %-9s %-7s %s\n", "trial", "rung", "score", "status", "hyperparameters")
		for _, p := range r.Pulls {
			fmt.Fprintf(&b, "%-5d %-5d %-9s %-7s %v\n", p.Seq, p.Rung, FormatQuality(p.Score), p.Status, p.Hyper)
		}
		if r.Tuned != nil {
			fmt.Fprintf(&b, "best: %v (score %s at %s)\n", r.Tuned.Hyper, FormatQuality(r.Tuned.Score), r.Tuned.Budget)
		}
	case store.KindTrain:
		fmt.Fprintf(&b, "\n%-5s %-7s %s\n", "round", "policy", "held-out score")
		for i, p := range r.Policies {
			fmt.Fprintf(&b, "%-5d %-7d %s\n", i+1, p.ID, FormatQuality(p.Score))
		}
	case store.KindDeploy:
		if len(r.Deployments) > 0 && r.Deployments[0].Weights != "" {
			fmt.Fprintf(&b, "weights: %s\n", r.Deployments[0].Weights)
		}
		fmt.Fprintf(&b, "\n%-20s %-9s %-9s %-9s %s\n", "benchmark", "quality", "walltime", "validated", "actions")
		for _, d := range r.Deployments {
			v := "yes"
			if !d.Validated {
				v = "NO: " + d.Error
			}
			fmt.Fprintf(&b, "%-20s %-9s %-9s %-9s %s\n", d.Benchmark, FormatQuality(d.Quality), fmtDur(d.Walltime), v, strings.Join(d.ActionNames, " "))
		}
	case store.KindCompare:
		b.WriteString("\n")
		b.WriteString(comparisonFromRows(r.Baselines).Table())
	}
	return b.String()
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
		if m != ClientMethod && m != ZeroShotMethod && len(c.Results[m]) > 0 && !isDefaultRow(c.Results[m]) {
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

// RunColumns names the columns of %runs, in the order of RunCells.
var RunColumns = []string{"id", "name", "kind", "task", "strategy", "status", "started", "duration", "winner", "score"}

// RunCells is one run as %runs shows it, in RunColumns order: the text
// table and the notebook's HTML table both read their cells from here.
func RunCells(r store.Run) []string {
	dur := "running"
	if !r.Finished.IsZero() {
		dur = r.Finished.Sub(r.Started).Round(100 * time.Millisecond).String()
	}
	winner, score := r.Winner, FormatQuality(r.WinnerScore)
	if winner == "" {
		winner, score = "–", "–"
	}
	strategy := r.Strategy
	if strategy == "" {
		strategy = "–"
	}
	return []string{strconv.FormatInt(r.ID, 10), r.Name, r.Kind, r.Task, strategy, StatusWords(r.Status),
		r.Started.Local().Format("2006-01-02 15:04:05"), dur, winner, score}
}

// StatusWords says a stored run status as a user reads it.
func StatusWords(status string) string {
	switch status {
	case "budget":
		return "done (budget spent)"
	case "finished":
		return "done"
	}
	return status
}

// RunsTable renders runs as a text table (for %runs without a notebook,
// and as the text form of the notebook's table).
func RunsTable(runs []store.Run) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(RunColumns, "\t"))
	for _, r := range runs {
		fmt.Fprintln(tw, strings.Join(RunCells(r), "\t"))
	}
	tw.Flush()
	return b.String()
}

// SameName lists the runs that share run's name, newest first, when there
// are runs of more than one phase among them (nil otherwise): what %show
// prints so that the user can pick another with --phase or an id.
func SameName(ctx context.Context, st *store.Store, run store.Run) ([]store.Run, error) {
	all, err := st.Runs(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	var same []store.Run
	kinds := map[string]bool{}
	for _, r := range all {
		if r.Name == run.Name {
			same = append(same, r)
			kinds[r.Kind] = true
		}
	}
	if len(kinds) < 2 {
		return nil, nil
	}
	return same, nil
}

// AmbiguityNote says which run of a shared name is shown and how to pick
// another ("" when the name is not shared across phases).
func AmbiguityNote(shown store.Run, same []store.Run) string {
	if len(same) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d runs are named %q; showing run %d (%s). Pick another with --phase %s or by id:\n", len(same), shown.Name, shown.ID, shown.Kind, strings.Join(Phases, "|"))
	for _, r := range same {
		mark := " "
		if r.ID == shown.ID {
			mark = "*"
		}
		fmt.Fprintf(&b, " %s id %-4d %-8s %-11s %s\n", mark, r.ID, r.Kind, r.Status, r.Started.Local().Format("2006-01-02 15:04:05"))
	}
	return b.String()
}

// RunsCSVHeader are the columns of WriteRunsCSV.
var RunsCSVHeader = []string{"id", "name", "kind", "task", "strategy", "status", "started", "finished", "duration_s", "parent", "winner", "winner_score", "error"}

// WriteRunsCSV writes runs as CSV (RFC 4180, a header line, times in RFC
// 3339 UTC, empty cells for missing values), for pandas, R or a
// spreadsheet.
func WriteRunsCSV(w io.Writer, runs []store.Run) error {
	cw := csv.NewWriter(w)
	cw.Write(RunsCSVHeader)
	for _, r := range runs {
		finished, dur, parent, score := "", "", "", ""
		if !r.Finished.IsZero() {
			finished = r.Finished.UTC().Format(time.RFC3339)
			dur = strconv.FormatFloat(r.Finished.Sub(r.Started).Seconds(), 'f', 3, 64)
		}
		if r.Parent != 0 {
			parent = strconv.FormatInt(r.Parent, 10)
		}
		if !math.IsNaN(r.WinnerScore) && r.Winner != "" {
			score = strconv.FormatFloat(r.WinnerScore, 'g', -1, 64)
		}
		cw.Write([]string{strconv.FormatInt(r.ID, 10), r.Name, r.Kind, r.Task, r.Strategy, r.Status,
			r.Started.UTC().Format(time.RFC3339), finished, dur, parent, r.Winner, score, r.Error})
	}
	cw.Flush()
	return cw.Error()
}
