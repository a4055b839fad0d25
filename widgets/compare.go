package widgets

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Comparison holds the per-benchmark results of the deployed policy and of
// the baselines, relative to the compiler default.
type Comparison struct {
	Title string
	// Reference names what the values are relative to, e.g. "-Oz".
	Reference  string
	Methods    []string // e.g. "supersonic", "random", "greedy"
	Benchmarks []string
	// Values[m][b] is method m's improvement over Reference on benchmark b
	// as a ratio: 1 is as good as the reference, 1.05 is 5% better, 0.9
	// is 10% worse. NaN means no result: the bar's slot stays empty and
	// the geomean skips it.
	Values [][]float64
	// Overhead, when set, is shown as a table under the chart.
	Overhead []OverheadRow
}

// OverheadRow is the cost of one method in a comparison. Two kinds of
// columns are shown, each only when some row sets it: the paper's search
// overhead (how much longer the method needs than the deployed policy to
// reach the target quality) and plain costs (times and steps).
type OverheadRow struct {
	Method string
	// TimeRatio summarises, over the benchmarks, the time the method needs
	// to reach the target quality divided by the time the deployed policy
	// needs (> 1: the policy is faster): geometric mean, minimum and
	// maximum. NaN means not measured; zero values mean not given.
	TimeRatio Ratios
	// Missed counts the benchmarks where the method never reached the
	// target.
	Missed int
	// Search is the one-off time spent before deployment: architecture
	// search and training. Zero for methods that need none.
	Search time.Duration
	// Deploy is the time spent optimising the comparison's benchmarks.
	Deploy     time.Duration
	Benchmarks int
	// Steps are the environment steps (compiler invocations) of deployment.
	Steps int
}

// Ratios summarises ratios over benchmarks.
type Ratios struct{ Geomean, Min, Max float64 }

// Validate checks that Values has one row per method, each with one value
// per benchmark, and that the values are positive ratios or NaN.
func (c Comparison) Validate() error {
	if len(c.Methods) == 0 || len(c.Benchmarks) == 0 {
		return fmt.Errorf("comparison %q: needs at least one method and one benchmark, has %d methods and %d benchmarks", c.Title, len(c.Methods), len(c.Benchmarks))
	}
	if len(c.Values) != len(c.Methods) {
		return fmt.Errorf("comparison %q: %d rows of values for %d methods; want one row per method", c.Title, len(c.Values), len(c.Methods))
	}
	var errs []error
	for m, row := range c.Values {
		if len(row) != len(c.Benchmarks) {
			errs = append(errs, fmt.Errorf("method %s has %d values for %d benchmarks", c.Methods[m], len(row), len(c.Benchmarks)))
			continue
		}
		for b, v := range row {
			if !math.IsNaN(v) && (v <= 0 || math.IsInf(v, 0)) {
				errs = append(errs, fmt.Errorf("method %s on %s: %g is not a positive ratio (use NaN for no result)", c.Methods[m], c.Benchmarks[b], v))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("comparison %q: %w", c.Title, err)
	}
	return nil
}

// Geomeans returns each method's geometric mean ratio over the benchmarks
// it has a result on (NaN when it has none).
func (c Comparison) Geomeans() []float64 {
	out := make([]float64, len(c.Methods))
	for m := range c.Methods {
		var sum float64
		var n int
		if m < len(c.Values) {
			for _, v := range c.Values[m] {
				if v > 0 && !math.IsInf(v, 0) {
					sum += math.Log(v)
					n++
				}
			}
		}
		out[m] = math.NaN()
		if n > 0 {
			out[m] = math.Exp(sum / float64(n))
		}
	}
	return out
}

// percent turns a ratio into an improvement in percent.
func percent(ratio float64) float64 { return (ratio - 1) * 100 }

// PlotComparison draws a grouped bar chart: for each benchmark and for the
// geometric mean, one bar per method showing its improvement over the
// reference in percent.
func PlotComparison(c Comparison) (*Figure, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	ref := c.Reference
	if ref == "" {
		ref = "the compiler default"
	}
	geo := c.Geomeans()
	cats := append(append([]string(nil), c.Benchmarks...), "geomean")
	p := newPlot("", "improvement over "+ref+" (%)")
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	f := newFigure(p)
	f.title = c.Title
	// Make room for many benchmarks: at least 6 pt per bar.
	nm := len(c.Methods)
	if need := vg.Length(len(cats)*(nm+1)) * vg.Points(6); need > f.Width*0.7 {
		f.Width = need/0.7 + vg.Points(40)
	}
	var charts []*plotter.BarChart
	for m, name := range c.Methods {
		vals := make(plotter.Values, len(cats))
		for b := range c.Benchmarks {
			if v := c.Values[m][b]; !math.IsNaN(v) {
				vals[b] = percent(v)
			}
		}
		if !math.IsNaN(geo[m]) {
			vals[len(cats)-1] = percent(geo[m])
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(1)) // sized below
		if err != nil {
			return nil, fmt.Errorf("comparison %q: bars of %s: %w", c.Title, name, err)
		}
		bars.Color = palette[m%len(palette)]
		bars.LineStyle.Width = 0
		charts = append(charts, bars)
		p.Add(bars)
		label := name
		if !math.IsNaN(geo[m]) {
			label += fmt.Sprintf("%s%+.1f%%", legendGap, percent(geo[m]))
		}
		f.addLegend(label, bars)
	}
	// Each benchmark gets one slot of the data area, 80% of it bars: the
	// data area is the figure less the legend column and the y axis.
	leg := f.legend.Rectangle(draw.Canvas{})
	dataW := f.width() - (leg.Max.X - leg.Min.X + vg.Points(12)) - vg.Points(70)
	barW := dataW / vg.Length(len(cats)) * 0.8 / vg.Length(nm)
	for m, bars := range charts {
		bars.Width = barW
		bars.Offset = (vg.Length(m) - vg.Length(nm-1)/2) * barW
	}
	p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	// The axis spans every bar and zero with a margin, so the tallest bar
	// stays inside the frame and the grid covers the whole plot.
	lo, hi := 0.0, 0.0
	for m := range c.Methods {
		for b := range c.Benchmarks {
			if v := c.Values[m][b]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, percent(v)), math.Max(hi, percent(v))
			}
		}
		if g := geo[m]; !math.IsNaN(g) && !math.IsInf(g, 0) {
			lo, hi = math.Min(lo, percent(g)), math.Max(hi, percent(g))
		}
	}
	if pad := 0.08 * (hi - lo); pad > 0 {
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
		if lo == 0 {
			p.Y.Min = 0
		}
	}
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.LineStyle = draw.LineStyle{Color: color.Gray{0x33}, Width: vg.Points(0.8)}
	p.Add(zero)
	p.Y.Tick.Marker = valueTicks{}
	p.NominalX(cats...)
	if len(cats) > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return f, nil
}

// OverheadHTML renders the cost of each method as an HTML table.
func OverheadHTML(title string, rows []OverheadRow) string {
	var ratios, costs bool
	for _, r := range rows {
		t := r.TimeRatio
		ratios = ratios || t.Geomean != 0 || t.Min != 0 || t.Max != 0 || r.Missed != 0
		costs = costs || r.Search != 0 || r.Deploy != 0 || r.Steps != 0
	}
	var b strings.Builder
	b.WriteString(`<div class="supersonic-overhead">`)
	if title != "" {
		fmt.Fprintf(&b, `<div style="font-family:sans-serif;font-weight:bold;margin:4px 0">%s</div>`, htmlEscape(title))
	}
	fmt.Fprintf(&b, `<table style="%s"><thead><tr><th style="%s">method</th>`, tableStyle, thStyle)
	var heads []string
	if ratios {
		heads = append(heads, "time to target ÷ policy's (geomean)", "min", "max", "missed")
	}
	if costs {
		heads = append(heads, "search", "deploy", "per benchmark", "steps")
	}
	for _, h := range heads {
		fmt.Fprintf(&b, `<th style="%s;text-align:right">%s</th>`, thStyle, htmlEscape(h))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr><td style="%s;white-space:nowrap"><code>%s</code></td>`, tdStyle, htmlEscape(r.Method))
		var cells []string
		if ratios {
			t := r.TimeRatio
			cells = append(cells, ratioText(t.Geomean), ratioText(t.Min), ratioText(t.Max), strconv.Itoa(r.Missed))
		}
		if costs {
			cells = append(cells, durationText(r.Search), durationText(r.Deploy), durationText(perBenchmark(r)), stepsText(r.Steps))
		}
		for _, c := range cells {
			fmt.Fprintf(&b, `<td style="%s">%s</td>`, numStyle, htmlEscape(c))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></div>`)
	return b.String()
}

// ratioText prints a time ratio as 3.2×, ∞ when never reached, – when
// unknown.
func ratioText(v float64) string {
	switch {
	case math.IsNaN(v) || v == 0:
		return "–"
	case math.IsInf(v, 1):
		return "∞"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + "×"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "×"
}

func perBenchmark(r OverheadRow) time.Duration {
	if r.Benchmarks <= 0 {
		return 0
	}
	return r.Deploy / time.Duration(r.Benchmarks)
}

func durationText(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return formatDuration(d)
}

// WriteComparisonText writes the comparison as aligned text: one line per
// method with its geomean and its cost when known.
func WriteComparisonText(w io.Writer, c Comparison) error {
	if err := c.Validate(); err != nil {
		return err
	}
	costs := make(map[string]OverheadRow, len(c.Overhead))
	for _, r := range c.Overhead {
		costs[r.Method] = r
	}
	ref := c.Reference
	if ref == "" {
		ref = "default"
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\tgeomean vs %s\tbenchmarks\ttime to target ÷ policy's\tsearch\tdeploy\n", ref)
	for m, g := range c.Geomeans() {
		n := 0
		for _, v := range c.Values[m] {
			if !math.IsNaN(v) {
				n++
			}
		}
		r := costs[c.Methods[m]]
		fmt.Fprintf(tw, "%s\t%+.2f%%\t%d/%d\t%s\t%s\t%s\n", c.Methods[m], percent(g), n, len(c.Benchmarks),
			ratioText(r.TimeRatio.Geomean), durationText(r.Search), durationText(r.Deploy))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing comparison: %w", err)
	}
	text := trimLines(buf.String())
	if c.Title != "" {
		text = c.Title + "\n" + text
	}
	if _, err := io.WriteString(w, text); err != nil {
		return fmt.Errorf("writing comparison: %w", err)
	}
	return nil
}

// PlotTimeToQuality draws the best quality so far of each method against
// wall time.
func PlotTimeToQuality(title string, series []Series) *Figure {
	if title == "" {
		title = "time to quality"
	}
	return PlotCurves(series, CurveStyle{Title: title, X: XElapsed, Y: YBest})
}
