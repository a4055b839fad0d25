package widgets

import (
	"image/color"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPlotCurvesSVGStructure(t *testing.T) {
	events := syntheticSearch(1, 4, 300)
	series := seriesOf(events)
	series[2].Note = "pruned"
	tests := []struct {
		name   string
		style  CurveStyle
		xLabel string
		yLabel string
	}{
		{"best against steps", CurveStyle{Title: "search codesize"}, "environment steps", "best quality so far"},
		{"quality against time", CurveStyle{Title: "search codesize", X: XElapsed, Y: YQuality}, "time since the run started", "episode quality"},
		{"return against wall time", CurveStyle{Title: "search codesize", X: XWall, Y: YReturn}, "wall time", "episode return"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg, err := PlotCurves(series, tc.style).SVG()
			if err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, svg)
			for _, want := range []string{"search codesize", tc.xLabel, tc.yLabel} {
				if !doc.hasText(want) {
					t.Errorf("chart has no text %q; texts: %q", want, doc.texts)
				}
			}
			// Tick labels on both axes: at least two numbers each.
			numeric := 0
			for _, s := range doc.texts {
				if s != "" && strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) == 0 {
					numeric++
				}
			}
			if numeric < 4 {
				t.Errorf("chart has %d numeric tick labels, want at least 4 (two per axis); texts: %q", numeric, doc.texts)
			}
			for i, s := range series {
				if !doc.hasText(s.Name) {
					t.Errorf("legend has no entry for arm %q", s.Name)
				}
				if n := doc.linesOf(hexColor(i), 3); n != 1 {
					t.Errorf("arm %q (colour %s) is drawn as %d long lines, want 1", s.Name, hexColor(i), n)
				}
				// The legend thumbnail is a short line of the same colour.
				if n := doc.linesOf(hexColor(i), 1) - doc.linesOf(hexColor(i), 3); n != 1 {
					t.Errorf("arm %q has %d legend thumbnails, want 1", s.Name, n)
				}
			}
			if !doc.hasText("(pruned)") {
				t.Errorf("legend does not show the note of the pruned arm; texts: %q", doc.texts)
			}
		})
	}
}

func TestPlotCurvesManyArmsAndEmpty(t *testing.T) {
	// More arms than colours: the extra arms are dashed, none is lost.
	series := seriesOf(syntheticSearch(2, 12, 50))
	doc := parseSVG(t, mustSVG(t, PlotCurves(series, CurveStyle{})))
	for _, s := range series {
		if !doc.hasText(s.Name) {
			t.Errorf("legend has no entry for arm %q", s.Name)
		}
	}
	// Forty arms: the figure grows so that the legend fits.
	many := seriesOf(syntheticSearch(9, 40, 20))
	f := PlotCurves(many, CurveStyle{})
	if h := f.height(); h <= DefaultHeight {
		t.Errorf("a 40-arm chart keeps the default height %v: its legend cannot fit", h)
	}
	doc = parseSVG(t, mustSVG(t, f))
	for _, s := range many {
		if !doc.hasText(s.Name) {
			t.Errorf("legend has no entry for arm %q", s.Name)
		}
	}
	// A chart without points (a search that has not finished an episode)
	// still renders.
	doc = parseSVG(t, mustSVG(t, PlotCurves([]Series{{Name: "ppo"}}, CurveStyle{Title: "empty"})))
	if !doc.hasText("empty") || !doc.hasText("ppo") {
		t.Errorf("empty chart lacks its title or legend: %q", doc.texts)
	}
}

func mustSVG(t *testing.T, f *Figure) []byte {
	t.Helper()
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	return svg
}

func TestDecimate(t *testing.T) {
	// A noisy curve of 100k points reduced to 100 columns keeps each
	// column's extremes, the first and the last point, in x order.
	const n, buckets = 100_000, 100
	pts := make([]xy, n)
	for i := range pts {
		pts[i] = xy{float64(i), math.Sin(float64(i) / 50)}
	}
	pts[12345].y = 7  // a spike
	pts[67890].y = -7 // a dip
	out := decimate(pts, 0, n-1, buckets)
	if len(out) > 4*(buckets+1) {
		t.Fatalf("decimated to %d points, want at most %d", len(out), 4*(buckets+1))
	}
	if out[0] != pts[0] || out[len(out)-1] != pts[n-1] {
		t.Errorf("first or last point lost: %v … %v", out[0], out[len(out)-1])
	}
	var spike, dip bool
	for i, p := range out {
		if i > 0 && p.x <= out[i-1].x {
			t.Fatalf("points out of order at %d: %v after %v", i, p, out[i-1])
		}
		spike = spike || p.y == 7
		dip = dip || p.y == -7
	}
	if !spike || !dip {
		t.Errorf("extremes lost: spike kept %v, dip kept %v", spike, dip)
	}
	// Short curves are kept as they are.
	if got := decimate(pts[:10], 0, 9, buckets); len(got) != 10 {
		t.Errorf("short curve decimated to %d points, want 10", len(got))
	}
}

func TestFormatting(t *testing.T) {
	durations := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {850 * time.Millisecond, "850ms"}, {12500 * time.Millisecond, "12.5s"},
		{90 * time.Second, "1m30s"}, {5 * time.Minute, "5m"}, {2*time.Hour + 5*time.Minute, "2h05m"}, {3 * time.Hour, "3h"},
	}
	for _, tc := range durations {
		if got := formatDuration(tc.d); got != tc.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	counts := []struct {
		v    float64
		want string
	}{{0, "0"}, {950, "950"}, {1500, "1.5k"}, {200000, "200k"}, {2.5e6, "2.5M"}}
	for _, tc := range counts {
		if got := formatCount(tc.v); got != tc.want {
			t.Errorf("formatCount(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestSVGToHTML(t *testing.T) {
	svg := mustSVG(t, PlotCurves(seriesOf(syntheticSearch(8, 2, 20)), CurveStyle{Title: "inline"}))
	html := svgToHTML(svg)
	if strings.Contains(html, "<?xml") || !strings.HasPrefix(html, `<div class="supersonic-chart"><svg style="width:100%;max-width:1200px;height:auto"`) {
		t.Errorf("inline chart starts with %.120q", html)
	}
	// Still well-formed XML, with the fallback fonts.
	doc := parseSVG(t, []byte(html))
	if !doc.hasText("inline") {
		t.Error("inline chart lost its title")
	}
	if !strings.Contains(html, "sans-serif") {
		t.Error("chart fonts have no sans-serif fallback")
	}
}

func TestShortNames(t *testing.T) {
	tests := []struct {
		names      []string
		short      []string
		wantCommon string
	}{
		{[]string{"ppo · autophase · quality-delta · all · apply", "a2c · instcount-norm · quality-delta · all · apply"},
			[]string{"ppo · autophase", "a2c · instcount-norm"}, "quality-delta · all · apply"},
		{[]string{"ppo·autophase·ic-oz", "ppo·instcount·ic-oz"}, []string{"autophase", "instcount"}, "ppo · ic-oz"},
		{[]string{"ppo·x", "ppo·x"}, []string{"ppo·x", "ppo·x"}, ""},     // nothing tells them apart: unchanged
		{[]string{"ppo·x", "ppo·y·z"}, []string{"ppo·x", "ppo·y·z"}, ""}, // different shapes
		{[]string{"random", "greedy"}, []string{"random", "greedy"}, ""}, // plain names
		{[]string{"ppo · autophase"}, []string{"ppo · autophase"}, ""},   // one arm
		// A deployment: one arm on several benchmarks; the key holds the arm whole.
		{[]string{"ppo · autophase · ic-oz · all · apply @ builtin:adpcm", "ppo · autophase · ic-oz · all · apply @ builtin:dijkstra"},
			[]string{"builtin:adpcm", "builtin:dijkstra"}, "ppo · autophase · ic-oz · all · apply"},
		{[]string{"ppo · autophase @ crc32", "a2c · autophase @ crc32"}, []string{"ppo", "a2c"}, "autophase @ crc32"},
	}
	for _, tc := range tests {
		short, common := shortNames(tc.names)
		if strings.Join(short, "|") != strings.Join(tc.short, "|") || common != tc.wantCommon {
			t.Errorf("shortNames(%q) = %q, %q; want %q, %q", tc.names, short, common, tc.short, tc.wantCommon)
		}
	}
}

// Issue 14: long arm names were cut with "…" to fit a legend column of 40%
// of the width, so two arms could read the same. Now names are whole and
// such a legend goes under the plot, across the figure's width.
func TestLongArmNamesFitTheLegend(t *testing.T) {
	long := "reinforce · instcount-norm+action-history(8)+autophase · quality-delta"
	series := []Series{
		{Name: long + " · all · apply", Points: seriesOf(syntheticRun(1, "x", 30))[0].Points},
		{Name: "ppo · autophase · quality-delta · all · apply", Points: seriesOf(syntheticRun(2, "y", 30))[0].Points},
	}
	f := PlotCurves(series, CurveStyle{})
	doc := parseSVG(t, mustSVG(t, f))
	if !doc.hasText("all: quality-delta · all · apply") {
		t.Errorf("legend does not show the shared components: %q", doc.texts)
	}
	whole := false
	for _, s := range doc.texts {
		if strings.Contains(s, "…") {
			t.Errorf("legend entry %q was cut", s)
		}
		whole = whole || strings.HasPrefix(s, "reinforce · instcount-norm+action-history(8)+autophase")
	}
	if !whole {
		t.Errorf("the long arm name is not in the legend whole: %q", doc.texts)
	}
	if !f.legendBelow() || f.width() != f.Width || f.height() <= f.Height {
		t.Errorf("legend below %v, figure %v × %v for %v × %v: want the legend under the plot, the width kept and the height raised",
			f.legendBelow(), f.width(), f.height(), f.Width, f.Height)
	}
	short := PlotCurves([]Series{{Name: "ppo", Points: series[0].Points}, {Name: "a2c", Points: series[1].Points}}, CurveStyle{})
	if short.legendBelow() || short.width() != short.Width || short.height() != short.Height {
		t.Errorf("a short legend is not beside the plot in a figure of the default size")
	}
}

func TestWrapText(t *testing.T) {
	sty := titleStyle(9.5, color.Black)
	long := "leader ppo · autophase: score 1.0917, best 1.2432, 4 pulls · budget 45s, took 52.4s · 24.3k steps · 6 arms, 2 running"
	width := sty.Width("leader ppo · autophase: score 1.0917, best 1.2432, 4 pulls")
	lines := wrapText(sty, long, width)
	if len(lines) < 2 || strings.Join(lines, " · ") != long {
		t.Fatalf("wrapText gave %q; want lines that join back into the text", lines)
	}
	for _, l := range lines {
		if sty.Width(l) > width && strings.Contains(l, " · ") {
			t.Errorf("line %q is wider than %v", l, width)
		}
	}
	if got := wrapText(sty, "short", width); len(got) != 1 {
		t.Errorf("a short text wrapped: %q", got)
	}
}
