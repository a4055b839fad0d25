package widgets

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// blockingDisplay holds every Update until release is closed, like a
// frontend that stopped reading.
type blockingDisplay struct {
	Memory
	release chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (d *blockingDisplay) Update(id, html string) {
	d.once.Do(func() { close(d.entered) })
	<-d.release
	d.Memory.Update(id, html)
}

func TestLiveCurvesDropsFramesUnderFlood(t *testing.T) {
	d := &blockingDisplay{release: make(chan struct{}), entered: make(chan struct{})}
	lc := NewLiveCurves(LiveOptions{Title: "flood", Display: d, Progress: io.Discard, Interval: 5 * time.Millisecond})
	<-d.entered // the renderer is now stuck in the display
	// 100k events while the renderer cannot draw: Observe must not wait
	// for it (a blocking Observe would hang this test).
	const n = 100_000
	for i := 1; i <= n; i++ {
		lc.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: armName(i % 10), Episode: i / 10, Step: i, Best: float64(i)})
	}
	close(d.release)
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	// Frames: the stuck first one, at most one merged frame for the whole
	// flood, and the final one.
	if f := lc.Frames(); f > 3 || f < 2 {
		t.Errorf("%d frames drawn for %d events, want 2 or 3: pending frames must merge", f, n)
	}
	final := d.Block(d.Blocks()[0])
	for i := range 10 {
		if !strings.Contains(final, htmlEscape(armName(i))) {
			t.Errorf("final frame lacks arm %q", armName(i))
		}
	}
	if n := renderers(); n != 0 {
		t.Errorf("%d renderer goroutines after Close: the renderer leaked", n)
	}
	// Observe and Close after Close are harmless.
	lc.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "late"})
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
}

// renderers counts the goroutines running a throttle loop, waiting a
// little for those that are returning.
func renderers() int {
	var n int
	for range 100 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		n = strings.Count(string(buf), "widgets.(*throttle).loop")
		if n == 0 {
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

func TestLiveCurvesFrameRateIsBounded(t *testing.T) {
	m := &Memory{}
	const interval = 20 * time.Millisecond
	lc := NewLiveCurves(LiveOptions{Display: m, Progress: io.Discard, Interval: interval})
	start := time.Now()
	events := syntheticSearch(3, 4, 2000)
	for i, e := range events {
		lc.Observe(e)
		if i%2000 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	// One frame per interval at most, plus the first and the final one.
	if max := int(elapsed/interval) + 2; lc.Frames() > max {
		t.Errorf("%d frames in %v at one per %v, want at most %d", lc.Frames(), elapsed, interval, max)
	}
	if m.Updates() != lc.Frames() {
		t.Errorf("display got %d updates for %d frames", m.Updates(), lc.Frames())
	}
	if len(m.Blocks()) != 1 {
		t.Errorf("frames went to %d blocks, want all in one block updated in place", len(m.Blocks()))
	}
}

func TestLiveCurvesConcurrentObserve(t *testing.T) {
	m := &Memory{}
	lc := NewLiveCurves(LiveOptions{Display: m, Progress: io.Discard, Interval: time.Millisecond})
	const workers, episodes = 8, 3000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, e := range syntheticRun(uint64(w), armName(w), episodes) {
				lc.Observe(e)
				// A shared run observed by every worker as well.
				lc.Observe(rlcore.Event{Kind: rlcore.Progress, Run: "shared", Step: e.Step})
			}
		}()
	}
	wg.Wait()
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	s := lc.snapshot()
	if len(s.runs) != workers+1 {
		t.Fatalf("%d runs recorded, want %d", len(s.runs), workers+1)
	}
	for i, r := range s.runs {
		if r.name == "shared" {
			continue
		}
		if r.episodes != episodes || len(s.curves[i].pts) != episodes || !r.done {
			t.Errorf("run %s: %d episodes, %d points, done %v; want %d, %d, true", r.name, r.episodes, len(s.curves[i].pts), r.done, episodes, episodes)
		}
	}
	if s.episodes != workers*episodes {
		t.Errorf("%d episodes in total, want %d", s.episodes, workers*episodes)
	}
}

// A search pulls an arm many times, each pull a fresh training run named
// after the arm, sometimes two at once: the arm's curve goes on across
// pulls instead of starting again at zero.
func TestLiveCurvesAccumulatesPulls(t *testing.T) {
	for _, x := range []XAxis{XSteps, XElapsed} {
		lc := NewLiveCurves(LiveOptions{Display: Headless, Progress: io.Discard, X: x})
		// Arm a: three pulls one after the other.
		var bestA float64
		for pull := range 3 {
			ev := syntheticRun(uint64(10+pull), "a", 100)
			bestA = max(bestA, ev[len(ev)-1].Best)
			for _, e := range ev {
				lc.Observe(e)
			}
		}
		// Arm b: two pulls at once, their events interleaved.
		p1, p2 := syntheticRun(20, "b", 100), syntheticRun(21, "b", 100)
		for i := range p1 {
			lc.Observe(p1[i])
			if p2[i].Kind != rlcore.EpisodeEnd {
				lc.Observe(p2[i])
				continue
			}
			lc.Observe(rlcore.Event{Kind: rlcore.Progress, Run: "b", Step: p2[i].Step - 20, Episode: p2[i].Episode - 1, Elapsed: p2[i].Elapsed})
			lc.Observe(p2[i])
		}
		if err := lc.Close(); err != nil {
			t.Fatal(err)
		}
		s := lc.snapshot()
		for i, want := range []struct {
			name            string
			steps, episodes int
		}{{"a", 3 * 45 * 100, 300}, {"b", 2 * 45 * 100, 200}} {
			r := s.runs[i]
			if r.name != want.name || r.steps != want.steps || r.episodes != want.episodes || !r.done || len(r.streams) != 0 {
				t.Errorf("x=%v arm %s: %d steps, %d episodes, done %v, %d open pulls; want %d, %d, true, 0",
					x, r.name, r.steps, r.episodes, r.done, len(r.streams), want.steps, want.episodes)
			}
			pts := s.curves[i].pts
			for j := 1; j < len(pts); j++ {
				if pts[j].x < pts[j-1].x || pts[j].y < pts[j-1].y {
					t.Fatalf("x=%v arm %s: curve goes back at point %d: %v after %v", x, r.name, j, pts[j], pts[j-1])
				}
			}
		}
		if got := s.curves[0].pts[len(s.curves[0].pts)-1].y; got != bestA {
			t.Errorf("arm a ends at best %v, want the best of its pulls %v", got, bestA)
		}
	}
}

func TestLiveCurvesBoundsStoredPoints(t *testing.T) {
	lc := NewLiveCurves(LiveOptions{Display: Headless, Progress: io.Discard})
	const n = 5 * maxStoredPoints
	for i := 1; i <= n; i++ {
		lc.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "long", Episode: i, Step: i, Best: float64(i)})
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	pts := lc.snapshot().curves[0].pts
	if len(pts) > maxStoredPoints {
		t.Errorf("%d points stored, want at most %d", len(pts), maxStoredPoints)
	}
	if pts[0].x != 1 || pts[len(pts)-1].x != n || pts[len(pts)-1].y != n {
		t.Errorf("compaction lost the ends of the curve: first %v, last %v", pts[0], pts[len(pts)-1])
	}
}

func TestHeadlessFallback(t *testing.T) {
	if InNotebook() {
		t.Skip("runs outside a notebook")
	}
	if d := resolveDisplay(nil); d != nil {
		t.Fatalf("outside a notebook the default display is %T, want none", d)
	}
	dir := filepath.Join(t.TempDir(), "charts")
	var progress bytes.Buffer
	lc := NewLiveCurves(LiveOptions{Title: "search test", Dir: dir, Progress: &progress,
		ProgressInterval: time.Millisecond, Budget: rlcore.Budget{Duration: time.Minute}})
	for _, e := range syntheticSearch(4, 3, 200) {
		lc.Observe(e)
	}
	lc.Observe(rlcore.Event{Kind: rlcore.EpisodeFailed, Run: "late arm"})
	lc.Observe(rlcore.Event{Kind: rlcore.Progress, Run: "late arm", Step: 900, StepsPerS: 1500})
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	last := lines[len(lines)-1]
	for _, want := range []string{"[search test]", "best ", " of 1m", "600 episodes", "4 arms, 1 running, 3 done", "1.5k steps/s", "failed episodes: 1"} {
		if !strings.Contains(last, want) {
			t.Errorf("last progress line %q lacks %q", last, want)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "live-curves.svg"))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, svg)
	if !doc.hasText("search test") || !doc.hasText(armName(2)) {
		t.Errorf("chart file lacks the title or an arm: %q", doc.texts)
	}
	f, err := os.Open(filepath.Join(dir, "live-curves.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("PNG file does not decode: %v", err)
	}

	// Progress text goes to stderr by default when nothing is displayed.
	if w := progressWriter(nil, nil); w != os.Stderr {
		t.Errorf("headless progress goes to %v, want stderr", w)
	}
	if w := progressWriter(nil, &Memory{}); w != nil {
		t.Errorf("progress next to a display goes to %v, want nowhere", w)
	}
}

func TestLiveCurvesWaitingFrame(t *testing.T) {
	m := &Memory{}
	lc := NewLiveCurves(LiveOptions{Title: "search x", Display: m, Progress: io.Discard})
	deadline := time.Now().Add(10 * time.Second)
	for m.Updates() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	first := m.Block(m.Blocks()[0])
	if !strings.Contains(first, "waiting for the first episode") || strings.Contains(first, "<svg") {
		t.Errorf("first frame before any episode = %q, want a waiting note", first)
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
}

// Issue 14: a deployment's budget is each benchmark's; the header said
// "budget 8s, took 27s" of a deploy over three benchmarks.
func TestLiveCurvesBudgetPerRun(t *testing.T) {
	var progress bytes.Buffer
	lc := NewLiveCurves(LiveOptions{Title: "deploy", Display: Headless, Progress: &progress, ProgressInterval: time.Millisecond,
		Budget: rlcore.Budget{Duration: time.Nanosecond}, BudgetPer: "benchmark"})
	for _, e := range syntheticSearch(2, 2, 20) {
		lc.Observe(e)
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "budget 1ns per benchmark") || strings.Contains(last, "took") {
		t.Errorf("last progress line %q: want the budget per benchmark beside the elapsed time", last)
	}
}

// TestLiveCurvesEndAtTheRunsBest: a run stopped mid-episode may raise its
// best in that episode (no EpisodeEnd says so); the RunDone's Best ends
// the best-so-far curve there, so chart and result agree. Other y values
// are per episode and get no such point.
func TestLiveCurvesEndAtTheRunsBest(t *testing.T) {
	for _, tc := range []struct {
		y       YValue
		runBest float64
		want    []float64
	}{
		{YBest, 2.25, []float64{1.5, 1.8, 2.25}},
		{YBest, 1.8, []float64{1.5, 1.8}},
		{YQuality, 2.25, []float64{1.5, 1.8}},
	} {
		lc := NewLiveCurves(LiveOptions{Display: Headless, Progress: io.Discard, Y: tc.y})
		lc.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "p16", Episode: 1, Step: 20, Quality: 1.5, Best: 1.5})
		lc.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "p16", Episode: 2, Step: 40, Quality: 1.8, Best: 1.8})
		lc.Observe(rlcore.Event{Kind: rlcore.RunDone, Run: "p16", Episode: 2, Step: 52, Best: tc.runBest})
		if err := lc.Close(); err != nil {
			t.Fatal(err)
		}
		var got []float64
		for _, p := range lc.snapshot().curves[0].pts {
			got = append(got, p.y)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("y %v, run best %v: curve %v, want %v", tc.y, tc.runBest, got, tc.want)
		}
	}
}
