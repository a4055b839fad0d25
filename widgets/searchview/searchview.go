// Package searchview shows each phase of a Supersonic architecture search —
// search, tune, deploy, compare — while it runs and after it is stored: it
// connects rlcore/search's runs to the widgets (live reward curves, the
// leaderboard, the Stop button, comparison charts). In a gonb notebook the
// output goes to the cell; elsewhere it is terminal progress, so the same
// program runs under `go run` and in CI.
//
// The kernel's magics expand to calls of this package; a Go cell can make
// the same calls:
//
//	ctx, done := searchview.Context(context.Background())
//	defer done()
//	view := searchview.WatchSearch("cs", budget)
//	res, err := search.Search(ctx, spec, view.Options(search.Options{Budget: budget}))
//	view.Close(res)
package searchview

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/widgets"
)

// Context returns a context that is cancelled by SIGINT or SIGTERM (a
// kernel interrupt reaches the cell's program as SIGINT) and, in a
// notebook, by a Stop button shown in the cell. Everything found until then
// is kept: the search functions return their best so far and the store
// marks the run interrupted. Call done when the work is over; it removes
// the button.
func Context(parent context.Context) (ctx context.Context, done func()) {
	ctx, stopSignals := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(ctx)
	button := widgets.StopButton(cancel)
	return ctx, func() {
		button.Close()
		cancel()
		stopSignals()
	}
}

// Search shows a running search: one live curve per arm (the best task
// quality each arm's training runs reach) and the leaderboard of arms.
type Search struct {
	live    *widgets.LiveCurves
	board   *widgets.Leaderboard
	workers armWorkers
}

// WatchSearch starts the widgets of the search named name.
func WatchSearch(name string, budget rlcore.Budget) *Search {
	return &Search{
		live: widgets.NewLiveCurves(widgets.LiveOptions{
			Title: "search " + name + ": best task quality per arm", Budget: budget, X: widgets.XWall,
			Caption: "curves: the best task quality each arm's training has reached so far; " + ScoreDoc + ".",
		}),
		board: widgets.NewLeaderboard(widgets.LeaderboardOptions{Title: "arms of " + name}),
	}
}

// Options returns o with the widgets' observers added (after o's own).
func (s *Search) Options(o search.Options) search.Options {
	o.Observer = rlcore.Tee(o.Observer, s.live.Observe, s.workers.observe)
	prev := o.OnPull
	o.OnPull = func(ev search.PullEvent) {
		if ev.Pull.Runner != "" && ev.Pull.Runner != "local" {
			s.workers.set(ev.Pull.Arm.String(), ev.Pull.Runner)
		}
		s.board.Update(s.workers.annotate(ArmRows(ev.Leaderboard, false)))
		s.live.SetHeadline(Leader(ev.Leaderboard))
		if prev != nil {
			prev(ev)
		}
	}
	return o
}

// armWorkers remembers which remote worker runs (or last ran) each arm,
// from the training events of jobs run on NATS workers.
type armWorkers struct {
	mu sync.Mutex
	m  map[string]string
}

func (a *armWorkers) observe(e rlcore.Event) {
	if e.Worker != "" {
		a.set(e.Run, e.Worker)
	}
}

func (a *armWorkers) set(arm, worker string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]string{}
	}
	a.m[arm] = worker
}

// annotate adds "on WORKER" to the detail of each arm a remote worker ran.
func (a *armWorkers) annotate(rows []widgets.ArmRow) []widgets.ArmRow {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, r := range rows {
		if w, ok := a.m[r.Arm]; ok {
			rows[i].Detail = strings.TrimSpace(r.Detail + "  on " + w)
		}
	}
	return rows
}

// Close draws the final frames and prints what the search found.
func (s *Search) Close(res *search.Result) error {
	if res != nil {
		s.board.Update(s.workers.annotate(ArmRows(res.Arms, true)))
		head := Leader(res.Arms)
		if res.Winner != nil {
			head = fmt.Sprintf("winner %s: score %s, best %s, %s", res.Winner.Name, fmtScore(res.Winner.Mean), fmtScore(res.Winner.Best), pullsText(*res.Winner))
		}
		s.live.SetHeadline(head)
	}
	err := firstErr(s.live.Close(), s.board.Close())
	if res != nil {
		fmt.Println(SearchSummary(res))
	}
	return err
}

// ScoreDoc says once what the numbers of a search mean; the chart's
// caption, the leaderboard and the summary use these words.
const ScoreDoc = "score: an arm's mean pull score; best: its best pull score; " +
	"a pull trains the arm's client RL briefly and scores it by the mean best task quality it reaches on the training benchmarks " +
	"(code size: 1.0 = as good as -Oz); pulls: the arm's finished pulls, failed ones included, " +
	"and \"+ N cut\" the pulls cut short by Stop or the budget (stored, not scored); steps: the environment steps of those pulls, in the same two parts"

// SearchSummary is a short text account of a finished search, in the
// leaderboard's terms.
func SearchSummary(res *search.Result) string {
	if res.Winner == nil {
		return fmt.Sprintf("search %s (run %d): %s after %s, no arm succeeded: %v",
			res.Name, res.RunID, res.Status, pullCount(res.Pulls), res.Err)
	}
	w := res.Winner
	s := fmt.Sprintf("search %s (run %d, strategy %s): %s after %s in %s\nwinner: %s, score %s, best %s, %s",
		res.Name, res.RunID, res.Strategy, res.Status, pullCount(res.Pulls), res.Elapsed.Round(1e7),
		w.Name, fmtScore(w.Mean), fmtScore(w.Best), pullsText(*w))
	if line := overrunLine(res.Overrun, res.OverrunWhy); line != "" {
		s += "\n" + strings.TrimSuffix(line, "\n")
	}
	return s
}

// pullCount counts a search's pulls as the leaderboard does: the finished
// ones, then "+ N cut" for those cut short (stored, in no arm's score).
func pullCount(pulls []*search.PullResult) string {
	cut := 0
	for _, p := range pulls {
		if p.Status == store.PullInterrupted {
			cut++
		}
	}
	s := widgets.Plural(len(pulls)-cut, "pull")
	if cut > 0 {
		s += fmt.Sprintf(" + %d cut (stored, not scored)", cut)
	}
	return s
}

// Leader is the chart's headline during a search: the arm ranked first by
// the leaderboard and its numbers, and how many arms are running.
func Leader(arms []search.ArmStats) string {
	var lead *search.ArmStats
	running := 0
	for i := range arms {
		a := &arms[i]
		if a.InFlight > 0 {
			running++
		}
		if a.Pulls > 0 && !math.IsNaN(a.Mean) && (lead == nil || a.Mean > lead.Mean) {
			lead = a
		}
	}
	head := "no pull finished yet"
	if lead != nil {
		head = fmt.Sprintf("leader %s: score %s, best %s, %s", lead.Name, fmtScore(lead.Mean), fmtScore(lead.Best), pullsText(*lead))
	}
	return fmt.Sprintf("%s · %s, %d running", head, widgets.Plural(len(arms), "arm"), running)
}

// pullsText counts an arm's pulls as the leaderboard does: failed ones
// included and named, cut ones after a "+".
func pullsText(a search.ArmStats) string {
	s := widgets.Plural(a.Pulls+a.Failures, "pull")
	if a.Failures > 0 {
		s += fmt.Sprintf(" (%d failed)", a.Failures)
	}
	if a.Cut > 0 {
		s += fmt.Sprintf(" + %d cut", a.Cut)
	}
	return s
}

func fmtScore(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.4f", v)
}

// ArmRows turns leaderboard tallies into widget rows; final marks the
// search as over (arms no longer running are done). It is the one place
// an arm's numbers become a leaderboard row, for live searches and stored
// ones (search.StoredArms) alike.
func ArmRows(arms []search.ArmStats, final bool) []widgets.ArmRow {
	rows := make([]widgets.ArmRow, 0, len(arms))
	for _, a := range arms {
		r := widgets.ArmRow{Arm: a.Name, Score: a.Mean, Best: a.Best, Pulls: a.Pulls + a.Failures, Steps: a.Steps, Cut: a.Cut, CutSteps: a.CutSteps}
		if a.Failures > 0 {
			r.Detail = widgets.Plural(a.Failures, "failed pull")
		}
		switch {
		case a.Retired:
			r.Status = widgets.ArmFailed
		case a.Pruned:
			r.Status = widgets.ArmPruned
		case a.InFlight > 0 && !final:
			r.Status = widgets.ArmRunning
		case a.Pulls+a.Failures == 0 && a.Cut > 0:
			r.Status = widgets.ArmStopped
		case a.Pulls+a.Failures == 0:
			r.Status = widgets.ArmWaiting
		case final:
			r.Status = widgets.ArmDone
		default:
			r.Status = widgets.ArmIdle
		}
		if a.Pulls > 1 && !math.IsNaN(a.Std) {
			r.Detail = joinDetail(r.Detail, fmt.Sprintf("sd %.4f", a.Std))
		}
		r.Detail = withFailedEpisodes(r.Detail, a.FailedEpisodes, a.FirstEpisodeError)
		rows = append(rows, r)
	}
	return rows
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Tune shows a running ASHA tuning: one live curve per trial and a line
// per finished trial.
type Tune struct {
	live *widgets.LiveCurves
}

// WatchTune starts the widgets of a tuning run.
func WatchTune(name string, budget rlcore.Budget) *Tune {
	return &Tune{live: widgets.NewLiveCurves(widgets.LiveOptions{
		Title: "tune " + name + ": best quality per trial", Budget: budget, X: widgets.XWall,
	})}
}

// Options returns o with the widgets' observer added.
func (t *Tune) Options(o search.TuneOptions) search.TuneOptions {
	o.Observer = rlcore.Tee(o.Observer, t.live.Observe)
	return o
}

// Close draws the final frame and prints the best configuration.
func (t *Tune) Close(res *search.TuneResult) error {
	err := t.live.Close()
	if res != nil {
		printWarnings(res.Warnings)
		fmt.Printf("tune (run %d): %s after %s in %s\nbest %s configuration (score %.4f at rung %d): %s\n",
			res.RunID, res.Status, widgets.Plural(len(res.Trials), "trial"), res.Elapsed.Round(1e7), res.Algorithm, res.BestScore, res.BestRung, formatHyper(res.Best))
		fmt.Print(overrunLine(res.Overrun, res.OverrunWhy))
	}
	return err
}

// Deploy shows a deployment: one live curve per unseen benchmark, then the
// table of results.
type Deploy struct {
	live *widgets.LiveCurves
}

// WatchDeploy starts the widgets of a deployment.
func WatchDeploy(name string, budget rlcore.Budget) *Deploy {
	return &Deploy{live: widgets.NewLiveCurves(widgets.LiveOptions{
		Title: "deploy " + name + ": best quality per benchmark", Budget: budget, BudgetPer: "benchmark", X: widgets.XElapsed,
	})}
}

// Options returns o with the widgets' observer added.
func (d *Deploy) Options(o search.DeployOptions) search.DeployOptions {
	o.Observer = rlcore.Tee(o.Observer, d.live.Observe)
	return o
}

// Close draws the final frame and shows every benchmark's result.
func (d *Deploy) Close(res *search.DeployResult) error {
	err := d.live.Close()
	if res == nil {
		return err
	}
	printWarnings(res.Warnings)
	fmt.Printf("deploy (run %d): %s; arm %s", res.RunID, res.Status, res.Arm)
	if res.Tuned {
		fmt.Printf(" with tuned %s", formatHyper(res.Hyper))
	}
	fmt.Println()
	if res.Weights != "" {
		fmt.Println("weights:", res.Weights)
	}
	for _, r := range res.Results {
		check := "validated"
		if !r.Validated {
			check = fmt.Sprintf("NOT validated: %v", r.Err)
		}
		fmt.Printf("  %-22s quality %7.4f  found after %-8s %s\n    %v\n", r.Benchmark, r.Quality, r.Found.Round(1e7), check, r.ActionNames)
	}
	fmt.Print(overrunLine(res.Overrun, res.OverrunWhy))
	return err
}

// ShowComparison renders a comparison: the chart of each method's quality
// relative to the compiler default, the search-overhead table, and the
// time-to-quality plot.
func ShowComparison(c *search.Comparison, out widgets.Output) error {
	wc := ComparisonChart(c)
	err := widgets.RenderComparison(out, "comparison", wc)
	if series := TimeToQuality(c); len(series) > 0 {
		err = firstErr(err, widgets.RenderTimeToQuality(out, "time-to-quality",
			"mean best quality over the benchmarks against wall time", series))
	}
	printWarnings(c.Warnings)
	fmt.Println(c.Table())
	fmt.Print(overrunLine(c.Overrun, c.OverrunWhy))
	return err
}

// overrunLine is a phase's summary of how far it went past its wall
// budget and why, as a line of its own ("" when it did not).
func overrunLine(by time.Duration, why string) string {
	if by <= 0 {
		return ""
	}
	return fmt.Sprintf("over budget by %s: %s\n", by.Round(time.Millisecond), why)
}

// printWarnings prints a phase's warnings (a search run that did not
// finish, …) above its result.
func printWarnings(ws []string) {
	for _, w := range ws {
		fmt.Println("warning:", w)
	}
}

// withFailedEpisodes adds an arm's failed episodes to its leaderboard
// detail: they are not silent even when its pulls succeeded.
func withFailedEpisodes(detail string, n int, first string) string {
	if n == 0 {
		return detail
	}
	s := fmt.Sprintf("%d failed episodes", n)
	if first != "" {
		if r := []rune(first); len(r) > 160 {
			first = string(r[:160]) + "…"
		}
		s += ", the first: " + first
	}
	if detail == "" {
		return s
	}
	return detail + "; " + s
}

// defaultMethod finds the comparison's compiler default: the first method
// that is not a registered algorithm (a reference compilation such as oz).
func defaultMethod(c *search.Comparison) string {
	for _, m := range c.Methods {
		if m == search.ClientMethod {
			continue
		}
		if _, err := rlcore.LookupAlgorithm(m); err != nil {
			return m
		}
	}
	return ""
}

// ComparisonChart converts c into the widgets' comparison: every method's
// quality divided by the compiler default's on each benchmark (1.05 = 5%
// better than the default). Without a default the qualities are shown as
// they are. Non-positive ratios are left empty.
func ComparisonChart(c *search.Comparison) widgets.Comparison {
	ref := defaultMethod(c)
	wc := widgets.Comparison{
		Title:      fmt.Sprintf("quality relative to %s (%s)", refName(ref), c.Arm),
		Reference:  refName(ref),
		Benchmarks: c.Benchmarks,
	}
	for _, m := range c.Methods {
		if m == ref {
			continue
		}
		row := make([]float64, len(c.Benchmarks))
		for i, b := range c.Benchmarks {
			row[i] = math.NaN()
			r := c.Results[m][b]
			if r == nil || math.IsNaN(r.Quality) {
				continue
			}
			v := r.Quality
			if ref != "" {
				d := c.Results[ref][b]
				if d == nil || d.Quality <= 0 {
					continue
				}
				v /= d.Quality
			}
			if v > 0 {
				row[i] = v
			}
		}
		wc.Methods = append(wc.Methods, m)
		wc.Values = append(wc.Values, row)
	}
	for _, o := range c.Overheads {
		var row widgets.OverheadRow
		row.Method = o.Method
		row.TimeRatio.Geomean, row.TimeRatio.Min, row.TimeRatio.Max = o.Geomean, o.Min, o.Max
		row.Missed = o.Missed
		row.Deploy = c.Walltime[o.Method] * time.Duration(len(c.Benchmarks)) // Walltime is a mean
		row.Benchmarks = len(c.Benchmarks)
		wc.Overhead = append(wc.Overhead, row)
	}
	return wc
}

func refName(ref string) string {
	if ref == "" {
		return "the task quality"
	}
	return "-" + capitalizeO(ref)
}

// capitalizeO writes compiler levels as users know them: oz → Oz.
func capitalizeO(s string) string {
	if len(s) == 2 && s[0] == 'o' {
		return "O" + s[1:]
	}
	return s
}

// TimeToQuality returns, for each method with curves, the mean over the
// benchmarks of the best quality reached by each moment (a benchmark counts
// with its first quality until it has one): the paper's search-overhead
// picture.
func TimeToQuality(c *search.Comparison) []widgets.Series {
	var out []widgets.Series
	for _, m := range c.Methods {
		var times []float64
		type pt struct{ t, q float64 }
		per := make([][]pt, 0, len(c.Benchmarks))
		for _, b := range c.Benchmarks {
			r := c.Results[m][b]
			if r == nil || len(r.Curve) == 0 {
				continue
			}
			var ps []pt
			for _, p := range r.Curve {
				ps = append(ps, pt{p.Elapsed.Seconds(), p.Best})
				times = append(times, p.Elapsed.Seconds())
			}
			per = append(per, ps)
		}
		if len(per) == 0 {
			continue
		}
		sort.Float64s(times)
		s := widgets.Series{Name: m}
		idx := make([]int, len(per))
		for _, t := range times {
			sum := 0.0
			for i, ps := range per {
				for idx[i]+1 < len(ps) && ps[idx[i]+1].t <= t {
					idx[i]++
				}
				sum += ps[idx[i]].q
			}
			s.Points = append(s.Points, rlcore.CurvePoint{Elapsed: time.Duration(t * float64(time.Second)), Best: sum / float64(len(per)), Quality: sum / float64(len(per))})
		}
		out = append(out, s)
	}
	return out
}

func formatHyper(h rlcore.Hyper) string {
	if len(h) == 0 {
		return "(defaults)"
	}
	keys := slices.Sorted(maps.Keys(h))
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s=%.4g", k, h[k])
	}
	return s
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// CompareProgress prints one line per finished method × benchmark of a
// comparison (a search.CompareOptions.OnResult).
func CompareProgress(r search.MethodResult) {
	if r.Err != nil {
		fmt.Printf("  %-14s %-24s failed: %v\n", r.Method, r.Benchmark, r.Err)
		return
	}
	fmt.Printf("  %-14s %-24s quality %.4f  (best found after %s)\n", r.Method, r.Benchmark, r.Quality, r.Found.Round(time.Millisecond))
}
