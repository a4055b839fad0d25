package widgets

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// XAxis chooses what the horizontal axis of a curve chart measures.
type XAxis int

const (
	// XSteps: environment steps of the run (Event.Step).
	XSteps XAxis = iota
	// XElapsed: time since the run started (Event.Elapsed).
	XElapsed
	// XWall: wall-clock time since the LiveCurves was created, so that arms
	// started at different times share one clock. For stored points it is
	// the same as XElapsed.
	XWall
)

func (x XAxis) label() string {
	switch x {
	case XElapsed:
		return "time since the run started"
	case XWall:
		return "wall time"
	}
	return "environment steps"
}

// YValue chooses what the vertical axis of a curve chart shows.
type YValue int

const (
	// YBest: the run's best score so far (Event.Best), a rising staircase.
	YBest YValue = iota
	// YQuality: the task quality of each finished episode.
	YQuality
	// YReturn: the return of each finished episode.
	YReturn
)

func (y YValue) label() string {
	switch y {
	case YQuality:
		return "episode quality"
	case YReturn:
		return "episode return"
	}
	return "best quality so far"
}

// Series is a named curve of stored points, for re-rendering a run.
type Series struct {
	Name   string
	Points []rlcore.CurvePoint
	// Note is shown in the legend after the name, e.g. "pruned".
	Note string
}

// CurveStyle sets what a curve chart shows.
type CurveStyle struct {
	Title string // first title line; empty means none
	// Subtitle is the second title line (best so far, time, budget).
	Subtitle string
	X        XAxis
	Y        YValue
	// Width and Height of the figure; zero means DefaultWidth × DefaultHeight.
	Width, Height vg.Length
}

// xy is one point of a curve in plot coordinates (x in steps or seconds).
type xy struct{ x, y float64 }

// curve is one line of a chart.
type curve struct {
	name, note string
	pts        []xy
}

// PlotCurves draws one line per series: style.Y against style.X.
func PlotCurves(series []Series, style CurveStyle) *Figure {
	curves := make([]curve, len(series))
	for i, s := range series {
		c := curve{name: s.Name, note: s.Note, pts: make([]xy, 0, len(s.Points))}
		for _, p := range s.Points {
			var x float64
			switch style.X {
			case XElapsed, XWall:
				x = p.Elapsed.Seconds()
			default:
				x = float64(p.Step)
			}
			var y float64
			switch style.Y {
			case YQuality:
				y = p.Quality
			case YReturn:
				y = p.Return
			default:
				y = p.Best
			}
			c.pts = append(c.pts, xy{x, y})
		}
		curves[i] = c
	}
	return plotCurves(curves, style)
}

// decimateBuckets is the number of columns a curve is reduced to before
// drawing: about one per point of the data area's width.
const decimateBuckets = 480

// plotCurves draws curves with the package's styling.
func plotCurves(curves []curve, style CurveStyle) *Figure {
	p := newPlot(style.X.label(), style.Y.label())
	p.Add(plotter.NewGrid())
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		for _, pt := range c.pts {
			if finite(pt.x) {
				xmin = math.Min(xmin, pt.x)
				xmax = math.Max(xmax, pt.x)
			}
		}
	}
	f := newFigure(p)
	f.title, f.subtitle = style.Title, style.Subtitle
	if style.Width > 0 {
		f.Width = style.Width
	}
	if style.Height > 0 {
		f.Height = style.Height
	}
	names := make([]string, len(curves))
	for i, c := range curves {
		names[i] = c.name
	}
	short, common := shortNames(names)
	// Labels are whole: a legend too wide for a column beside the plot
	// goes under it (see Figure.draw).
	if common != "" {
		f.addLegend("all: " + common)
	}
	for i, c := range curves {
		pts := c.pts
		if style.Y == YBest {
			pts = staircase(pts)
		}
		pts = decimate(pts, xmin, xmax, decimateBuckets)
		xys := make(plotter.XYs, 0, len(pts))
		for _, pt := range pts {
			if finite(pt.x) && finite(pt.y) {
				xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
			}
		}
		last := math.NaN()
		best := math.Inf(-1)
		for _, pt := range c.pts {
			if finite(pt.y) && pt.y > best {
				best = pt.y
			}
		}
		if style.Y == YBest && len(xys) > 0 {
			last = xys[len(xys)-1].Y
		} else if !math.IsInf(best, -1) {
			last = best
		}
		var suffix string
		if !math.IsNaN(last) {
			suffix += legendGap + formatScore(last)
		}
		if c.note != "" {
			suffix += " (" + c.note + ")"
		}
		label := short[i] + suffix
		sty := seriesStyle(i)
		if len(xys) > 0 {
			line := &plotter.Line{XYs: xys, LineStyle: sty}
			if style.Y == YBest {
				line.StepStyle = plotter.PostStep
			}
			p.Add(curveLine{line})
		}
		f.addLegend(label, lineThumb(sty))
	}
	if style.Y == YBest {
		if lo, ok := heldQuantile(curves, 0.02); ok && lo > p.Y.Min && lo < p.Y.Max {
			// Leave out the brief low start of each arm: the range covers
			// the values the curves hold for 98% of their length.
			p.Y.Min = lo - 0.05*(p.Y.Max-lo)
		}
	}
	if p.Y.Max > p.Y.Min { // a little room above the best curve
		p.Y.Max += 0.03 * (p.Y.Max - p.Y.Min)
	}
	p.Y.Tick.Marker = valueTicks{}
	switch style.X {
	case XElapsed, XWall:
		p.X.Tick.Marker = durationTicks{}
		p.X.Min = 0
	default:
		p.X.Tick.Marker = countTicks{}
		p.X.Min = 0
	}
	return f
}

// legendGap separates a legend entry's name from its value: two
// no-break spaces, which SVG renderers do not collapse into one.
const legendGap = "\u00a0\u00a0"

// curveLine draws a plotter.Line without reporting a glyph box per point:
// lines have no glyphs, and gonum/plot would otherwise gather thousands of
// empty boxes several times per frame to pad the axes (most of the
// rendering time of a long curve).
type curveLine struct{ line *plotter.Line }

func (l curveLine) Plot(c draw.Canvas, p *plot.Plot) { l.line.Plot(c, p) }

func (l curveLine) DataRange() (xmin, xmax, ymin, ymax float64) { return l.line.DataRange() }

// heldQuantile returns the q-quantile of the values of best-so-far curves,
// each value weighted by the x-length it is held for (until the curve's
// next point). ok is false when the curves have no length.
func heldQuantile(curves []curve, q float64) (v float64, ok bool) {
	type held struct{ y, w float64 }
	var hs []held
	var total float64
	for _, c := range curves {
		for i := 0; i+1 < len(c.pts); i++ {
			w := c.pts[i+1].x - c.pts[i].x
			if w > 0 && finite(w) && finite(c.pts[i].y) {
				hs = append(hs, held{c.pts[i].y, w})
				total += w
			}
		}
	}
	if total <= 0 {
		return 0, false
	}
	slices.SortFunc(hs, func(a, b held) int { return cmp.Compare(a.y, b.y) })
	var acc float64
	for _, h := range hs {
		acc += h.w
		if acc >= q*total {
			return h.y, true
		}
	}
	return hs[len(hs)-1].y, true
}

// staircase keeps the points of a best-so-far curve where the value
// changes, and the last point: drawn as a post-step line, it is the same
// curve.
func staircase(pts []xy) []xy {
	if len(pts) <= 2 {
		return pts
	}
	out := make([]xy, 0, 64)
	out = append(out, pts[0])
	for i := 1; i < len(pts)-1; i++ {
		if pts[i].y != out[len(out)-1].y {
			out = append(out, pts[i])
		}
	}
	return append(out, pts[len(pts)-1])
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// decimate reduces pts (in x order) to at most 4 points per column of
// (xmax-xmin)/buckets: the first, lowest, highest and last point of each
// column, in their original order. A line through them looks the same at
// one column per pixel. Curves shorter than 4·buckets are returned as is.
func decimate(pts []xy, xmin, xmax float64, buckets int) []xy {
	if len(pts) <= 4*buckets || !(xmax > xmin) {
		return pts
	}
	out := make([]xy, 0, 4*buckets)
	width := (xmax - xmin) / float64(buckets)
	for i := 0; i < len(pts); {
		col := math.Floor((pts[i].x - xmin) / width)
		first, lo, hi, last := i, i, i, i
		j := i + 1
		for ; j < len(pts) && math.Floor((pts[j].x-xmin)/width) == col; j++ {
			if pts[j].y < pts[lo].y {
				lo = j
			}
			if pts[j].y > pts[hi].y {
				hi = j
			}
			last = j
		}
		idx, n := sortedUnique4(first, lo, hi, last)
		for _, k := range idx[:n] {
			out = append(out, pts[k])
		}
		i = j
	}
	return out
}

// sortedUnique4 returns the n distinct values of a, b, c, d in increasing
// order in the first n entries of an array (no allocation: it runs once
// per column).
func sortedUnique4(a, b, c, d int) (v [4]int, n int) {
	v = [4]int{a, b, c, d}
	for i := 1; i < 4; i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	n = 1
	for _, x := range v[1:] {
		if x != v[n-1] {
			v[n] = x
			n++
		}
	}
	return v, n
}

// lineThumb draws a legend thumbnail: a short thick line in the series'
// style.
func lineThumb(sty draw.LineStyle) plot.Thumbnailer {
	thick := sty
	thick.Width = vg.Points(3)
	return &plotter.Line{LineStyle: thick}
}

// formatScore prints a score with a fixed number of decimals for its
// magnitude, so that the scores of a legend line up: 1.130, 0.927, 12.5.
func formatScore(v float64) string {
	switch a := math.Abs(v); {
	case a < 10:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case a < 1000:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// niceTicks returns about n labelled ticks over [min, max] at a step of
// 1, 2 or 5 times a power of ten, labelled by format.
func niceTicks(min, max float64, n int, steps []float64, format func(float64) string) []plot.Tick {
	if !(max > min) {
		return []plot.Tick{{Value: min, Label: format(min)}}
	}
	raw := (max - min) / float64(n)
	var step float64
	if steps != nil {
		step = steps[len(steps)-1]
		for _, s := range steps {
			if s >= raw {
				step = s
				break
			}
		}
		for step < raw { // beyond the list: whole multiples of its last step
			step *= 2
		}
	} else {
		mag := math.Pow(10, math.Floor(math.Log10(raw)))
		step = 10 * mag
		for _, m := range []float64{1, 2, 5} {
			if m*mag >= raw {
				step = m * mag
				break
			}
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: format(v)})
		// One unlabelled minor tick between labelled ones.
		if m := v + step/2; m <= max {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	return ticks
}

// valueTicks labels a score axis with about six ticks.
type valueTicks struct{}

func (valueTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 8, nil, func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) })
}

// countTicks labels a step axis with k and M suffixes.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 6, nil, formatCount)
}

// formatCount prints 1500 as 1.5k and 2000000 as 2M.
func formatCount(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// durationSteps are the tick steps of a time axis, in seconds.
var durationSteps = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
	1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600}

// durationTicks labels a time axis given in seconds (90 → 1m30s).
type durationTicks struct{}

func (durationTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 6, durationSteps, func(v float64) string {
		return formatDuration(time.Duration(math.Round(v * float64(time.Second))))
	})
}

// formatDuration prints a duration compactly: 850ms, 12.5s, 1m30s, 2h5m.
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + formatDuration(-d)
	case d == 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + "s"
	case d < time.Hour:
		d = d.Round(time.Second)
		m, s := d/time.Minute, (d%time.Minute)/time.Second
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	d = d.Round(time.Minute)
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
