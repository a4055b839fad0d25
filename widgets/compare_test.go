package widgets

import (
	"math"
	"strings"
	"testing"
	"time"
)

func sampleComparison() Comparison {
	nan := math.NaN()
	return Comparison{
		Title:      "code size on the test benchmarks",
		Reference:  "-Oz",
		Methods:    []string{"supersonic", "greedy", "random", "anneal"},
		Benchmarks: []string{"adpcm", "bitcount", "blowfish", "bzip2", "crc32", "dijkstra", "gsm", "jpeg", "qsort", "sha"},
		Values: [][]float64{
			{1.041, 1.062, 1.018, 1.035, 1.000, 1.027, 1.051, 1.012, 1.044, 1.030},
			{1.021, 1.040, 1.002, 1.011, 0.994, 1.013, 1.026, 0.998, 1.020, 1.008},
			{0.962, 0.981, 0.955, 0.972, 0.990, 0.969, 0.978, 0.951, 0.988, 0.976},
			{1.030, 1.051, 1.010, nan, 1.000, 1.019, 1.041, 1.005, 1.032, 1.019},
		},
		Overhead: []OverheadRow{
			{Method: "supersonic", Search: 42 * time.Minute, Deploy: 3 * time.Second, Benchmarks: 10, Steps: 450},
			{Method: "greedy", Deploy: 95 * time.Second, Benchmarks: 10, Steps: 18_000},
			{Method: "random", Deploy: 60 * time.Second, Benchmarks: 10, Steps: 24_000},
			{Method: "anneal", Deploy: 60 * time.Second, Benchmarks: 10, Steps: 21_000},
		},
	}
}

func TestComparisonValidate(t *testing.T) {
	good := sampleComparison()
	tests := []struct {
		name    string
		edit    func(c *Comparison)
		wantErr string
	}{
		{"valid", func(*Comparison) {}, ""},
		{"no methods", func(c *Comparison) { c.Methods, c.Values = nil, nil }, "at least one method"},
		{"missing row", func(c *Comparison) { c.Values = c.Values[:2] }, "one row per method"},
		{"short row", func(c *Comparison) { c.Values[1] = c.Values[1][:3] }, "greedy has 3 values for 10 benchmarks"},
		{"negative ratio", func(c *Comparison) { c.Values[0][2] = -1 }, "blowfish: -1 is not a positive ratio"},
		{"infinite ratio", func(c *Comparison) { c.Values[2][0] = math.Inf(1) }, "is not a positive ratio"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Values = make([][]float64, len(good.Values))
			for i := range good.Values {
				c.Values[i] = append([]float64(nil), good.Values[i]...)
			}
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestComparisonGeomeans(t *testing.T) {
	c := Comparison{Methods: []string{"a", "b", "c"}, Benchmarks: []string{"x", "y"},
		Values: [][]float64{{2, 0.5}, {4, math.NaN()}, {math.NaN(), math.NaN()}}}
	got := c.Geomeans()
	if math.Abs(got[0]-1) > 1e-12 || math.Abs(got[1]-4) > 1e-12 || !math.IsNaN(got[2]) {
		t.Errorf("geomeans = %v, want [1 4 NaN] (missing values skipped)", got)
	}
}

func TestPlotComparisonSVG(t *testing.T) {
	c := sampleComparison()
	f, err := PlotComparison(c)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, mustSVG(t, f))
	for _, want := range append(append([]string{"geomean", "improvement over -Oz (%)", c.Title}, c.Benchmarks...), c.Methods...) {
		if !doc.hasText(want) {
			t.Errorf("comparison chart has no text %q", want)
		}
	}
	// One filled bar per method and benchmark plus the geomean, and one
	// legend swatch per method (a bar at zero height is still drawn).
	for m := range c.Methods {
		bars := 0
		for _, p := range doc.paths {
			if p.fill == hexColor(m) {
				bars++
			}
		}
		if want := len(c.Benchmarks) + 1 + 1; bars != want {
			t.Errorf("method %s has %d filled shapes, want %d (bars, geomean, legend)", c.Methods[m], bars, want)
		}
	}
	// The legend shows the geomean improvement of each method.
	if !doc.hasText("supersonic" + legendGap + "+3.2%") {
		t.Errorf("legend lacks the geomean of supersonic: %q", doc.texts)
	}
}

func TestOverheadHTML(t *testing.T) {
	rows := sampleComparison().Overhead
	html := OverheadHTML("search overhead", rows)
	for _, want := range []string{"<table", "supersonic", "42m", "300ms", "18k", "search overhead"} {
		if !strings.Contains(html, want) {
			t.Errorf("overhead table lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "time to target") {
		t.Error("overhead table shows time-ratio columns no row sets")
	}
	// The paper's overhead: time ratios to the target, with misses.
	rows[1].TimeRatio.Geomean, rows[1].TimeRatio.Min, rows[1].TimeRatio.Max = 3.25, 1.5, math.Inf(1)
	rows[1].Missed = 2
	rows[2].TimeRatio.Geomean = math.NaN()
	html = OverheadHTML("", rows)
	for _, want := range []string{"time to target", "3.25×", "1.50×", "∞", ">2<", "–"} {
		if !strings.Contains(html, want) {
			t.Errorf("overhead table lacks %q:\n%s", want, html)
		}
	}
}
