package hl

import (
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

func pipeline(t testing.TB, name string) *schedule.Pipeline {
	t.Helper()
	ps, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pipeline %s", name)
	return nil
}

func TestCatalogListsTenPipelines(t *testing.T) {
	ps, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 10 {
		t.Fatalf("%d pipelines, want 10", len(ps))
	}
	for _, p := range ps {
		if p.Doc == "" || len(p.Stages) == 0 || strings.Contains(p.Stages[0].Name, "$") {
			t.Errorf("%s: doc %q, stages %v", p.Name, p.Doc, p.Stages)
		}
	}
}

// The catalog says which stages their consumers read pointwise (at their
// own x and y), which Fused inlines.
func TestCatalogPointwise(t *testing.T) {
	want := map[string]map[string]bool{
		// Sxx is read at (x, y) by the response; Ixx by the 3x3 box Sxx;
		// clamped at (x, y, channel) by the luminance
		"harris": {"Sxx": true, "Ixx": false, "Ix": true, "clamped": true, "gray": false, "harris": false},
		// bin is read at (r.x, r.y) by the histogram
		"hist_eq": {"bin": false, "lum": true, "cdf": false},
	}
	for name, stages := range want {
		p := pipeline(t, name)
		for stage, pw := range stages {
			if i := p.Stage(stage); i < 0 || p.Stages[i].Pointwise != pw {
				t.Errorf("%s: stage %s (index %d) pointwise, want %v", name, stage, i, pw)
			}
		}
	}
}

// The catalog says which stages a consumer reads at scaled or computed
// coordinates (resampled) and which a consumer reads for every value of a
// variable the stage lacks (broadcast), which Grouped uses; calls inside
// the front end's lets count.
func TestCatalogResampledAndBroadcast(t *testing.T) {
	tests := []struct {
		pipeline, stage      string
		resampled, broadcast bool
	}{
		{"local_laplacian", "gPyr0", true, false},    // read at 2x by the downsampling
		{"local_laplacian", "upx1", true, false},     // read at y/2 by the upsampling
		{"local_laplacian", "outGPyr0", false, true}, // grey, read by each colour channel
		{"hist_eq", "bin", true, false},              // read at (r.x, r.y) by the histogram
		{"lens_blur", "radius", false, true},         // read at x + r.x (inside a let), for every channel
		{"lens_blur", "clamped", false, false},
		{"nl_means", "weight", false, true}, // read at (x, y, sa.x, sa.y) for every channel
		{"harris", "gray", false, false},
	}
	for _, tt := range tests {
		p := pipeline(t, tt.pipeline)
		i := p.Stage(tt.stage)
		if i < 0 {
			t.Fatalf("%s has no stage %s", tt.pipeline, tt.stage)
		}
		if f := p.Stages[i]; f.Resampled != tt.resampled || f.Broadcast != tt.broadcast {
			t.Errorf("%s: %s resampled %v broadcast %v, want %v %v", tt.pipeline, tt.stage, f.Resampled, f.Broadcast, tt.resampled, tt.broadcast)
		}
	}
}

func TestScheduleCompilesAndMatchesDefault(t *testing.T) {
	p := pipeline(t, "harris")
	s := schedule.Default(p)
	for i := range s.Stages[:len(s.Stages)-1] {
		s.Stages[i].Compute = schedule.Inline
	}
	out := &s.Stages[len(s.Stages)-1]
	out.TileX, out.TileY, out.Vector, out.Parallel = 64, 32, 8, true
	r, err := Measure(Request{Pipeline: p.Name, Directives: s.Directives(), Runs: 3, Interleave: true})
	if err != nil {
		t.Fatalf("%s\n%s: %v", s.CPP(), s.Directives(), err)
	}
	if r.MaxAbsErr > 1e-3*r.MaxRef || len(r.TimesMs) != 3 || len(r.RefMs) != 3 {
		t.Errorf("result %+v", r)
	}
	t.Logf("%s\n%s\n%+v", s, s.CPP(), r)
}

func TestBadScheduleIsAnError(t *testing.T) {
	p := pipeline(t, "harris")
	_, err := Measure(Request{Pipeline: p.Name, Directives: "gray at harris nosuchvar\n", Runs: 1})
	if err == nil || !strings.Contains(err.Error(), "nosuchvar") {
		t.Fatalf("err = %v, want one naming nosuchvar", err)
	}
	_, err = Measure(Request{Pipeline: p.Name, Directives: "nosuch root\n", Runs: 1})
	if err == nil || !strings.Contains(err.Error(), "no stage named nosuch") {
		t.Fatalf("err = %v", err)
	}
}

// Register blocking (order block) compiles, runs and computes what the
// default schedule computes, on every pipeline with reductions over x and
// y: schedule.Blocked's and a blocked reduction at the root, in parallel.
func TestRegisterBlockMatchesDefault(t *testing.T) {
	tests := []struct{ pipeline, text string }{
		{"conv_layer", ""},
		{"conv_layer", "conv_layer: conv=root,tile(32x2),vec16,par,block,blockc4 relu=root,tile(32x32),vec16,par"},
		{"max_filter", ""},
		{"lens_blur", ""},
	}
	for _, tt := range tests {
		p := pipeline(t, tt.pipeline)
		s := schedule.Blocked(p)
		if tt.text != "" {
			var err error
			if s, err = schedule.Parse(p, tt.text); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(s.String(), "block") {
			t.Fatalf("%s: nothing blocked", s)
		}
		r, err := Measure(Request{Pipeline: p.Name, Directives: s.Directives(), Runs: 1})
		if err != nil {
			t.Fatalf("%s\n%s: %v", s, s.CPP(), err)
		}
		if r.MaxAbsErr > 1e-4*r.MaxRef {
			t.Errorf("%s: output differs from the default's by %g (largest %g)", s, r.MaxAbsErr, r.MaxRef)
		}
	}
}
