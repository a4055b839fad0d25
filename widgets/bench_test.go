package widgets

import (
	"io"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"gonum.org/v1/plot/plotter"
)

// BenchmarkRenderCurves renders a 10-arm × 1,000-episode chart to SVG, as
// each frame of a live chart does (target: ≤ 50 ms). The sub-benchmarks
// compare the three y values: the best-so-far staircase and the noisy
// per-episode quality.
func BenchmarkRenderCurves(b *testing.B) {
	series := seriesOf(syntheticSearch(11, 10, 1000))
	for _, bc := range []struct {
		name  string
		style CurveStyle
	}{
		{"best", CurveStyle{Title: "search"}},
		{"quality", CurveStyle{Title: "search", Y: YQuality}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				svg, err := PlotCurves(series, bc.style).SVG()
				if err != nil {
					b.Fatal(err)
				}
				size = len(svg)
			}
			b.ReportMetric(float64(size)/1024, "KiB/frame")
		})
	}
}

// BenchmarkRenderCurvesNaive draws the same 10 × 1,000 noisy chart the
// straightforward gonum/plot way (plotter.NewLine per arm, every point, the
// line's glyph boxes gathered for axis padding), to measure what
// curveLine, staircase and decimate buy, side by side with
// BenchmarkRenderCurves/quality.
func BenchmarkRenderCurvesNaive(b *testing.B) {
	series := seriesOf(syntheticSearch(11, 10, 1000))
	for b.Loop() {
		p := newPlot("environment steps", "episode quality")
		f := newFigure(p)
		for i, s := range series {
			xys := make(plotter.XYs, len(s.Points))
			for j, pt := range s.Points {
				xys[j] = plotter.XY{X: float64(pt.Step), Y: pt.Quality}
			}
			line, err := plotter.NewLine(xys)
			if err != nil {
				b.Fatal(err)
			}
			line.LineStyle = seriesStyle(i)
			p.Add(line)
			f.addLegend(s.Name, line)
		}
		if _, err := f.SVG(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderCurvesPoints shows what decimation buys: the same chart
// with 10 arms × 20,000 noisy episodes.
func BenchmarkRenderCurvesPoints(b *testing.B) {
	series := seriesOf(syntheticSearch(12, 10, 20_000))
	var size int
	for b.Loop() {
		svg, err := PlotCurves(series, CurveStyle{Y: YQuality}).SVG()
		if err != nil {
			b.Fatal(err)
		}
		size = len(svg)
	}
	b.ReportMetric(float64(size)/1024, "KiB/frame")
}

// BenchmarkObserve is the cost a training loop pays per event.
func BenchmarkObserve(b *testing.B) {
	lc := NewLiveCurves(LiveOptions{Display: Headless, Progress: io.Discard})
	defer lc.Close()
	// The events of a 10-arm search, replayed with steps and episodes
	// moving on at each round, as a long search would send them.
	events := syntheticSearch(13, 10, 1000)
	last := events[len(events)-1]
	i, round := 0, 0
	for b.Loop() {
		e := events[i]
		e.Step += round * last.Step
		e.Episode += round * last.Episode
		lc.Observe(e)
		if i++; i == len(events) {
			i, round = 0, round+1
		}
	}
}

// BenchmarkObserveParallel: several workers reporting at once.
func BenchmarkObserveParallel(b *testing.B) {
	lc := NewLiveCurves(LiveOptions{Display: Headless, Progress: io.Discard})
	defer lc.Close()
	b.RunParallel(func(pb *testing.PB) {
		e := rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "worker"}
		for pb.Next() {
			e.Step++
			e.Episode++
			lc.Observe(e)
		}
	})
}

// BenchmarkPNG is the cost of the PNG file written headless on Close.
func BenchmarkPNG(b *testing.B) {
	f := PlotCurves(seriesOf(syntheticSearch(14, 10, 1000)), CurveStyle{})
	for b.Loop() {
		if _, err := f.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainingThroughput measures the cost of live rendering for a
// training loop: an episode of about 50 µs of arithmetic (a fast toy
// environment; real compiler episodes take milliseconds) followed by one
// event. Each iteration runs a block of 100 episodes with no observer and
// a block with a LiveCurves that draws real SVG frames every 300 ms,
// alternately, so that the load of the shared machine affects both alike;
// live/off is the ratio of their total times (1.05 would be 5% slower).
func BenchmarkTrainingThroughput(b *testing.B) {
	episode := func(seed float64) float64 {
		x := seed
		for range 20_000 {
			x = x*1.0000001 + 1e-9
		}
		return x
	}
	events := syntheticSearch(15, 10, 1000)
	lc := NewLiveCurves(LiveOptions{Display: &Memory{}, Progress: io.Discard})
	var off, live time.Duration
	var sink float64
	i := 0
	block := func(obs rlcore.Observer) time.Duration {
		start := time.Now()
		for range 100 {
			sink += episode(float64(i))
			if obs != nil {
				obs(events[i%len(events)])
			}
			i++
		}
		return time.Since(start)
	}
	for b.Loop() {
		off += block(nil)
		live += block(lc.Observe)
	}
	if err := lc.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(live)/float64(off), "live/off")
	b.ReportMetric(float64(lc.Frames()), "frames")
	_ = sink
}
