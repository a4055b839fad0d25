package searchview

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/widgets"
)

// ShowTask prints a declared task: its problem, benchmarks and the arms of
// its search space.
func ShowTask(spec search.Spec) {
	arms := spec.Arms()
	// Count from the arms, which include the defaults of components the
	// spec leaves out (actions: all, transitions: apply, …).
	distinct := func(of func(rlcore.Arm) string) int {
		seen := map[string]bool{}
		for _, a := range arms {
			seen[of(a)] = true
		}
		return len(seen)
	}
	fmt.Printf("task %s: %s, %s = %s × %s × %s × %s × %s\n", spec.Name, spec.Task, widgets.Plural(len(arms), "arm"),
		widgets.Plural(distinct(func(a rlcore.Arm) string { return a.Algorithm }), "algorithm"), widgets.Plural(distinct(func(a rlcore.Arm) string { return a.State }), "state"),
		widgets.Plural(distinct(func(a rlcore.Arm) string { return a.Reward }), "reward"), widgets.Plural(distinct(func(a rlcore.Arm) string { return a.Actions }), "action space"),
		widgets.Plural(distinct(func(a rlcore.Arm) string { return a.Transition }), "transition"))
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\talgorithm\tstate\treward\tactions\ttransition")
	for i, a := range arms {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", i, a.Algorithm, a.State, a.Reward, a.Actions, a.Transition)
	}
	tw.Flush()
}

// ShowRuns shows the run store's runs, newest first; kind "" means every
// kind. In a notebook it is an HTML table with the plain-text table as its
// text/plain form (what jupyter console prints).
func ShowRuns(ctx context.Context, st *store.Store, kind string, limit int) error {
	runs, err := st.Runs(ctx, kind, limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Printf("the run store %s has no runs yet\n", st.Path())
		return nil
	}
	if widgets.InNotebook() {
		widgets.Notebook{}.ShowWithText(RunsHTML(runs), search.RunsTable(runs))
		return nil
	}
	fmt.Print(search.RunsTable(runs))
	return nil
}

// WriteRunsCSV writes the store's runs of kind ("" for all) to the CSV
// file path (see search.WriteRunsCSV) and says so.
func WriteRunsCSV(ctx context.Context, st *store.Store, kind string, limit int, path string) error {
	runs, err := st.Runs(ctx, kind, limit)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := search.WriteRunsCSV(f, runs); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("wrote %d runs to %s (columns: %s)\n", len(runs), path, strings.Join(search.RunsCSVHeader, ", "))
	return nil
}

// RunsHTML is the run store's table for a notebook: one row per run with
// the cells of search.RunCells (the text table's), the winner of a search
// with its score (the leaderboard's score), the status in words.
func RunsHTML(runs []store.Run) string {
	cols := make([]widgets.Column, len(search.RunColumns))
	for i, name := range search.RunColumns {
		cols[i] = widgets.Column{Name: name, Numeric: name == "id" || name == "duration" || name == "score", Code: name == "name" || name == "winner"}
	}
	rows := make([][]string, 0, len(runs))
	for _, r := range runs {
		rows = append(rows, search.RunCells(r))
	}
	return widgets.TableHTML("runs", cols, rows)
}

// ShowRun draws a stored run again: a search's curves and leaderboard, a
// tuning's trials, a deployment's results or a comparison's charts, with
// the text summary.
func ShowRun(ctx context.Context, st *store.Store, ref string, out widgets.Output) error {
	return ShowRunPhase(ctx, st, ref, "", out)
}

// ShowRunPhase is ShowRun for the newest run of one phase (search, tune,
// deploy or compare; "" for any) named ref. When ref is a name that runs of
// several phases share and no phase is given, it first lists them and says
// which one it shows.
func ShowRunPhase(ctx context.Context, st *store.Store, ref, phase string, out widgets.Output) error {
	rep, err := search.LoadPhase(ctx, st, ref, phase)
	if err != nil {
		return err
	}
	if _, isID := strconv.ParseInt(ref, 10, 64); phase == "" && isID != nil && ref != "" {
		same, err := search.SameName(ctx, st, rep.Run)
		if err != nil {
			return err
		}
		fmt.Print(search.AmbiguityNote(rep.Run, same))
	}
	switch rep.Run.Kind {
	case "search", "tune":
		series := pullSeries(rep.Pulls, rep.Run.Kind == "search")
		if len(series) > 0 {
			err = widgets.RenderCurves(out, fmt.Sprintf("run-%d-curves", rep.Run.ID), series, widgets.CurveStyle{
				Title:    fmt.Sprintf("%s %s (run %d): best quality", rep.Run.Kind, rep.Run.Name, rep.Run.ID),
				Subtitle: fmt.Sprintf("%s · %s", search.StatusWords(rep.Run.Status), widgets.Plural(len(rep.Pulls), "pull")),
				X:        widgets.XSteps, Y: widgets.YBest,
			})
		}
		if rep.Run.Kind == "search" && len(rep.Arms) > 0 {
			err = firstErr(err, widgets.RenderLeaderboard(out, fmt.Sprintf("run-%d-arms", rep.Run.ID), "arms", ArmRows(search.StoredArms(rep.Arms, rep.Pulls), true)))
		}
	case "compare":
		if c := rep.Comparison(); c != nil {
			err = widgets.RenderComparison(out, fmt.Sprintf("run-%d-comparison", rep.Run.ID), ComparisonChart(c))
			if s := TimeToQuality(c); len(s) > 0 {
				err = firstErr(err, widgets.RenderTimeToQuality(out, fmt.Sprintf("run-%d-time-to-quality", rep.Run.ID),
					"mean best quality over the benchmarks against wall time", s))
			}
		}
	}
	if rep.Run.Kind == "search" && len(rep.Arms) > 0 {
		// The leaderboard is the arms' table (as text when nothing shows
		// it): the text adds the run line, not a second table.
		fmt.Print(search.RunsTable([]store.Run{rep.Run}))
		if !out.Shows() {
			err = firstErr(err, widgets.WriteLeaderboardText(os.Stdout, "arms", ArmRows(search.StoredArms(rep.Arms, rep.Pulls), true)))
		}
		return err
	}
	fmt.Print(rep.Summary())
	return err
}

// pullSeries joins the pulls of each arm into one curve (their steps and
// times added up in pull order); for tuning every pull is its own series.
func pullSeries(pulls []store.Pull, byArm bool) []widgets.Series {
	sorted := append([]store.Pull(nil), pulls...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	var order []string
	series := map[string]*widgets.Series{}
	offsetStep := map[string]int{}
	offsetTime := map[string]time.Duration{}
	best := map[string]float64{}
	for _, p := range sorted {
		name := p.Arm
		if !byArm {
			name = fmt.Sprintf("%s #%d", shortHyper(p.Hyper), p.Seq)
		}
		s, ok := series[name]
		if !ok {
			s = &widgets.Series{Name: name}
			series[name] = s
			order = append(order, name)
		}
		for _, c := range p.Curve {
			b := c.Best
			if prev, ok := best[name]; ok && prev > b {
				b = prev
			}
			best[name] = b
			s.Points = append(s.Points, rlcore.CurvePoint{Step: offsetStep[name] + c.Step, Episode: c.Episode,
				Elapsed: offsetTime[name] + c.Elapsed, Return: c.Return, Quality: c.Quality, Best: b})
		}
		offsetStep[name] += p.Steps
		offsetTime[name] += p.Elapsed
		if p.Status == store.PullFailed {
			s.Note = "failed"
		}
	}
	out := make([]widgets.Series, 0, len(order))
	for _, n := range order {
		if len(series[n].Points) > 0 {
			out = append(out, *series[n])
		}
	}
	return out
}

func shortHyper(h map[string]float64) string {
	keys := slices.Sorted(maps.Keys(h))
	var parts []string
	for _, k := range keys {
		if len(parts) == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%.3g", k, h[k]))
	}
	return strings.Join(parts, " ")
}
