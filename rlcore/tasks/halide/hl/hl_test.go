package hl

import (
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

func pipeline(t *testing.T, name string) *schedule.Pipeline {
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
