package widgets

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"gonum.org/v1/plot/vg"
)

// Default intervals of the live widgets.
const (
	// DefaultInterval is the shortest time between two frames in a notebook.
	DefaultInterval = 300 * time.Millisecond
	// DefaultProgressInterval is the shortest time between two progress
	// lines when there is no notebook.
	DefaultProgressInterval = time.Second
)

// maxStoredPoints bounds the points kept per run: beyond it, a run's curve
// is decimated to about a quarter of that (see decimate).
const maxStoredPoints = 1 << 14

// LiveOptions configures NewLiveCurves. The zero value is usable.
type LiveOptions struct {
	Title  string        // first title line, e.g. "search codesize"
	Budget rlcore.Budget // shown in the title and progress lines; zero: none
	// BudgetPer, when set, says that Budget is each run's, not the whole
	// view's: "benchmark" for Deploy and Compare, whose runs each have the
	// budget. The header then shows it beside the elapsed time instead of
	// as a limit of it.
	BudgetPer string
	X         XAxis
	Y         YValue
	// Display shows the frames. nil means the notebook when the program
	// runs under gonb and nothing otherwise; Headless forces nothing.
	Display Display
	// Interval is the shortest time between two frames (default 300 ms).
	Interval time.Duration
	// Progress receives a one-line summary at most every ProgressInterval
	// (default 1 s) and a last one on Close. nil means os.Stderr when there
	// is no display and nothing in a notebook; io.Discard silences it.
	Progress         io.Writer
	ProgressInterval time.Duration
	// Dir, when set, receives the final chart as Name.svg and Name.png on
	// Close (Name defaults to "live-curves").
	Dir, Name string
	// Width and Height of the chart; zero means DefaultWidth × DefaultHeight.
	Width, Height vg.Length
	// Caption, when set, is shown under the chart: what its numbers mean.
	Caption string
}

// LiveCurves draws one curve per run (an arm of a search) from a stream of
// rlcore events, redrawn in place while the runs go on. Its Observe method
// is an rlcore.Observer: it never blocks and is safe for concurrent use.
type LiveCurves struct {
	opts  LiveOptions
	start time.Time
	redrawn

	// under mu
	runs  map[string]*runState
	order []*runState
	last  *runState // the run of the previous event: most events repeat it

	lastLine time.Time // renderer goroutine only

	headline atomic.Pointer[string] // see SetHeadline

	frames atomic.Int64
}

// runState is what LiveCurves knows about one run, or about one arm of a
// search, whose pulls are separate training runs with the arm's name.
type runState struct {
	name    string
	pts     []xy // append-only; compaction replaces the slice
	best    float64
	hasBest bool
	// steps, episodes and elapsed add up the arm's pulls (see account).
	steps     int
	episodes  int
	elapsed   time.Duration
	streams   []stream
	failures  int     // failed episodes
	stepsPerS float64 // latest training speed reported
	done      bool
	status    rlcore.Status
}

// NewLiveCurves starts the renderer of a live chart. Call Close when the
// runs are over: it draws the final frame and writes the files.
func NewLiveCurves(opts LiveOptions) *LiveCurves {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = DefaultProgressInterval
	}
	if opts.Name == "" {
		opts.Name = "live-curves"
	}
	lc := &LiveCurves{
		opts:    opts,
		redrawn: redrawn{display: resolveDisplay(opts.Display), id: newBlockID("curves")},
		start:   time.Now(),
		runs:    make(map[string]*runState),
	}
	lc.progress = progressWriter(opts.Progress, lc.display)
	interval := opts.Interval
	if lc.display == nil {
		interval = opts.ProgressInterval
	}
	lc.th = startThrottle(interval, lc.draw)
	lc.th.poke() // a first frame says the chart is waiting for episodes
	return lc
}

// progressWriter is where progress text goes: w when set, else stderr when
// there is no display, else nowhere.
func progressWriter(w io.Writer, d Display) io.Writer {
	if w == nil && d == nil {
		return os.Stderr
	}
	return w
}

// Observe records e. It returns at once; the chart is redrawn later by
// the renderer goroutine. Events after Close are ignored.
func (lc *LiveCurves) Observe(e rlcore.Event) {
	var wall float64
	if lc.opts.X == XWall {
		wall = time.Since(lc.start).Seconds()
	}
	lc.mu.Lock()
	if lc.closed {
		lc.mu.Unlock()
		return
	}
	r := lc.last
	if r == nil || r.name != e.Run {
		r = lc.runs[e.Run]
		if r == nil {
			r = &runState{name: e.Run}
			lc.runs[e.Run] = r
			lc.order = append(lc.order, r)
		}
		lc.last = r
	}
	r.account(e)
	switch e.Kind {
	case rlcore.EpisodeEnd:
		if !r.hasBest || e.Best > r.best {
			r.best, r.hasBest = e.Best, true
		}
		y := r.best // the arm's best over all its pulls
		switch lc.opts.Y {
		case YQuality:
			y = e.Quality
		case YReturn:
			y = e.Return
		}
		r.pts = append(r.pts, lc.point(r, wall, y))
		if len(r.pts) > maxStoredPoints {
			r.pts = compact(r.pts)
		}
		r.done = false
	case rlcore.Progress:
		r.stepsPerS = e.StepsPerS
		r.done = false
	case rlcore.EpisodeFailed:
		r.failures++
	case rlcore.RunDone:
		// The arm is done when its last concurrent pull is.
		r.done, r.status = len(r.streams) == 0, e.Status
		// A run stopped mid-episode may have raised its best in that
		// episode, which sent no EpisodeEnd: the best-so-far curve
		// ends at the run's best, as its result does. (A run without
		// a finished episode sends Best 0 for "none": no point.)
		if lc.opts.Y == YBest && r.hasBest && !math.IsNaN(e.Best) && !math.IsInf(e.Best, 0) && e.Best > r.best {
			r.best, r.hasBest = e.Best, true
			r.pts = append(r.pts, lc.point(r, wall, r.best))
		}
	}
	lc.mu.Unlock()
	lc.th.poke()
}

// point places y on r's curve at the x of the chart's axis: r's steps,
// r's elapsed time, or wall, the time since the chart started.
func (lc *LiveCurves) point(r *runState, wall, y float64) xy {
	switch lc.opts.X {
	case XElapsed:
		return xy{r.elapsed.Seconds(), y}
	case XWall:
		return xy{wall, y}
	}
	return xy{float64(r.steps), y}
}

// stream is a training run in progress under a run name: its counters as
// of its last event.
type stream struct {
	step, episode int
	elapsed       time.Duration
}

// account adds what e says happened since the previous event of its
// stream. A search pulls an arm many times, each pull a fresh training
// run whose Step, Episode and Elapsed start again from zero, possibly
// several at once on different workers; the events of one stream are
// recognised by their episode count (each EpisodeEnd adds one) and their
// step count (never decreasing). A RunDone closes its stream. For a single
// run, the totals are simply its counters.
func (r *runState) account(e rlcore.Event) {
	want := e.Episode // Progress, EpisodeFailed, RunDone: same episode count
	if e.Kind == rlcore.EpisodeEnd {
		want = e.Episode - 1
	}
	i := -1
	for j, s := range r.streams {
		if s.episode == want && s.step <= e.Step && (i < 0 || s.step > r.streams[i].step) {
			i = j
		}
	}
	if i < 0 && e.Kind == rlcore.RunDone {
		// A RunDone without the counters of a stream (sent by hand rather
		// than by rlcore.Recorder) ends every stream of the run.
		r.streams = r.streams[:0]
		return
	}
	if i < 0 { // a new pull, or a stream seen for the first time
		r.streams = append(r.streams, stream{})
		i = len(r.streams) - 1
	}
	s := &r.streams[i]
	r.steps += e.Step - s.step
	r.episodes += max(e.Episode-s.episode, 0)
	if d := e.Elapsed - s.elapsed; d > 0 {
		r.elapsed += d
	}
	s.step, s.episode, s.elapsed = e.Step, e.Episode, max(s.elapsed, e.Elapsed)
	if e.Kind == rlcore.RunDone {
		r.streams = append(r.streams[:i], r.streams[i+1:]...)
	}
}

// compact decimates a long curve to at most maxStoredPoints/2 points.
func compact(pts []xy) []xy {
	out := decimate(pts, pts[0].x, pts[len(pts)-1].x, maxStoredPoints/8)
	if len(out) > maxStoredPoints/2 { // x did not advance: keep every other point
		out = make([]xy, 0, len(pts)/2+1)
		for i := 0; i < len(pts); i += 2 {
			out = append(out, pts[i])
		}
	}
	return out
}

// Close stops the renderer after a final frame, prints the last progress
// line and writes the chart files when LiveOptions.Dir is set. It returns
// the first error met writing files or progress lines. Calling it again
// returns the same error.
func (lc *LiveCurves) Close() error { return lc.close() }

// Frames returns how many frames the renderer has drawn so far.
func (lc *LiveCurves) Frames() int { return int(lc.frames.Load()) }

// Figure returns the chart of the current state.
func (lc *LiveCurves) Figure() *Figure {
	s := lc.snapshot()
	return lc.figure(s)
}

// liveSnapshot is a consistent copy of the state, taken under the lock.
type liveSnapshot struct {
	curves   []curve
	runs     []runState
	elapsed  time.Duration
	steps    int
	episodes int
}

func (lc *LiveCurves) snapshot() liveSnapshot {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	s := liveSnapshot{elapsed: time.Since(lc.start)}
	for _, r := range lc.order {
		// pts is append-only: the prefix copied here is never written again.
		c := curve{name: runLabel(r.name), pts: r.pts[:len(r.pts):len(r.pts)]}
		if r.done {
			c.note = runNote(r.status)
		}
		s.curves = append(s.curves, c)
		rs := *r
		rs.pts = nil
		s.runs = append(s.runs, rs)
		s.steps += r.steps
		s.episodes += r.episodes
	}
	return s
}

func (lc *LiveCurves) figure(s liveSnapshot) *Figure {
	return plotCurves(s.curves, CurveStyle{
		Title:    lc.opts.Title,
		Subtitle: lc.summary(s, false),
		X:        lc.opts.X,
		Y:        lc.opts.Y,
		Width:    lc.opts.Width,
		Height:   lc.opts.Height,
	})
}

// draw is the renderer: it runs on the throttle's goroutine only.
func (lc *LiveCurves) draw(final bool) {
	s := lc.snapshot()
	var fig *Figure
	if lc.display != nil {
		if len(s.curves) == 0 && !final {
			lc.display.Update(lc.id, waitingHTML(lc.opts.Title, lc.summary(s, false)))
		} else {
			fig = lc.figure(s)
			svg, err := fig.SVG()
			if err != nil {
				lc.setErr(err)
			} else {
				lc.display.Update(lc.id, svgToHTML(svg)+captionHTML(lc.opts.Caption))
			}
		}
	}
	now := time.Now()
	if lc.progress != nil && (final || now.Sub(lc.lastLine) >= lc.opts.ProgressInterval) && (len(s.runs) > 0 || final) {
		lc.lastLine = now
		prefix := lc.opts.Title
		if prefix == "" {
			prefix = "progress"
		}
		if _, err := fmt.Fprintf(lc.progress, "[%s] %s\n", prefix, lc.summary(s, true)); err != nil {
			lc.setErr(fmt.Errorf("writing progress line: %w", err))
		}
	}
	if final && lc.opts.Dir != "" {
		if fig == nil {
			fig = lc.figure(s)
		}
		if err := fig.WriteFiles(lc.opts.Dir, lc.opts.Name); err != nil {
			lc.setErr(err)
		}
	}
	lc.frames.Add(1)
}

// SetHeadline replaces the chart's own account of the runs (the best
// episode so far and the counts of running and finished runs) by h, from
// the caller that knows better: a search states its leader and the arms in
// flight from the leaderboard, so that the chart and the table agree.
func (lc *LiveCurves) SetHeadline(h string) {
	lc.headline.Store(&h)
	lc.th.poke()
}

// summary is the one-line state: best so far, time and budget, counts.
func (lc *LiveCurves) summary(s liveSnapshot, long bool) string {
	head := lc.headline.Load()
	var parts []string
	best, bestRun, hasBest := math.Inf(-1), "", false
	var running, done, failed int
	for _, r := range s.runs {
		if r.hasBest && (!hasBest || r.best > best) {
			best, bestRun, hasBest = r.best, runLabel(r.name), true
		}
		switch {
		case !r.done:
			running++
		case r.status == rlcore.Failed:
			failed++
		default:
			done++
		}
	}
	switch {
	case head != nil:
		parts = append(parts, *head)
	case hasBest:
		parts = append(parts, "best "+formatScore(best)+" by "+bestRun)
	default:
		parts = append(parts, "waiting for the first episode")
	}
	b := lc.opts.Budget
	t := formatDuration(s.elapsed.Round(100 * time.Millisecond))
	if per := lc.opts.BudgetPer; per != "" {
		if !b.IsZero() {
			t += " · budget " + b.String() + " per " + per
		}
		b = rlcore.Budget{}
	}
	if b.Duration > 0 {
		if s.elapsed > b.Duration {
			// Work in flight when the budget ran out finishes (and counts).
			t = "budget " + formatDuration(b.Duration) + ", took " + t
		} else {
			t += " of " + formatDuration(b.Duration)
		}
	}
	parts = append(parts, t)
	steps := formatCount(float64(s.steps)) + " steps"
	if b.Steps > 0 {
		steps = formatCount(float64(s.steps)) + " of " + formatCount(float64(b.Steps)) + " steps"
	}
	parts = append(parts, steps)
	eps := Plural(s.episodes, "episode")
	if b.Episodes > 0 {
		eps = fmt.Sprintf("%d of %d episodes", s.episodes, b.Episodes)
	}
	if long {
		parts = append(parts, eps)
		var speed float64
		var failures int
		for _, r := range s.runs {
			if !r.done {
				speed += r.stepsPerS
			}
			failures += r.failures
		}
		if speed > 0 {
			parts = append(parts, formatCount(speed)+" steps/s")
		}
		if failures > 0 {
			parts = append(parts, fmt.Sprintf("failed episodes: %d", failures))
		}
	}
	if len(s.runs) > 1 && head == nil {
		arms := Plural(len(s.runs), "arm")
		if running > 0 {
			arms += fmt.Sprintf(", %d running", running)
		}
		if done > 0 {
			arms += fmt.Sprintf(", %d done", done)
		}
		if failed > 0 {
			arms += fmt.Sprintf(", %d failed", failed)
		}
		parts = append(parts, arms)
	}
	return strings.Join(parts, " · ")
}

// runNote is the legend's note on a finished run: runs stopped from outside
// or failed are marked, runs that ended normally are not.
func runNote(s rlcore.Status) string {
	switch s {
	case rlcore.Interrupted:
		return "stopped"
	case rlcore.Failed:
		return "failed"
	}
	return ""
}

// runLabel names a run in charts: the unlabelled run of a plain training
// is called "run".
func runLabel(name string) string {
	if name == "" {
		return "run"
	}
	return name
}

// waitingHTML is the frame shown before the first episode ends.
func waitingHTML(title, summary string) string {
	return fmt.Sprintf(`<div class="supersonic-chart" style="font-family:sans-serif;color:#555;padding:8px"><b>%s</b> %s</div>`,
		htmlEscape(title), htmlEscape(summary))
}

// captionHTML is a chart's caption under it, or "".
func captionHTML(caption string) string {
	if caption == "" {
		return ""
	}
	return `<div class="supersonic-caption" style="font-family:sans-serif;font-size:12px;color:#555;max-width:1200px;margin:2px 0 6px">` + htmlEscape(caption) + `</div>`
}
