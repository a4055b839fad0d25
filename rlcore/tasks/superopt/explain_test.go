package superopt

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// keptP01 opens a problem with an empty proved-rewrite folder holding
// one proved rewrite of p01, x & (x − 1) in two instructions.
func keptP01(t *testing.T) (*Problem, *bench, x86.Program) {
	t.Helper()
	t.Setenv("SUPERSONIC_SUPEROPT_PROVED", t.TempDir())
	p := NewProblem(DefaultOptions)
	b, err := p.bench("p01")
	if err != nil {
		t.Fatal(err)
	}
	rw, err := x86.Parse("lea eax, [rdi-1]\nand eax, edi")
	if err != nil {
		t.Fatal(err)
	}
	recordProved(b, rw)
	return p, b, rw
}

func TestViewResultShowsTheKeptRewriteAndItsProof(t *testing.T) {
	ctx := context.Background()
	p, b, rw := keptP01(t)
	tlat := b.target.Code.Latency()
	for _, tc := range []struct {
		quality float64
		want    []string
	}{
		{float64(tlat) / float64(rw.Latency()), []string{"z3 proves it equivalent", "and eax, edi", "rewrite (latency 2)"}},
		{1, []string{"the target itself"}},
		{float64(tlat) / 1, []string{"no proved rewrite of that latency is kept"}},
	} {
		v, err := p.ViewResult(ctx, "p01", tc.quality)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(v.Text, w) {
				t.Errorf("quality %g: the view lacks %q:\n%s", tc.quality, w, v.Text)
			}
		}
		if tc.quality > 1 && len(tc.want) == 3 && !strings.Contains(v.HTML, "<table") {
			t.Errorf("no HTML table: %s", v.HTML)
		}
	}
}

func TestExportAndReplayARewrite(t *testing.T) {
	ctx := context.Background()
	p, b, rw := keptP01(t)
	q := float64(b.target.Code.Latency()) / float64(rw.Latency())
	x, err := p.ExportResult(ctx, "p01", []int{0, 1}, q)
	if err != nil {
		t.Fatal(err)
	}
	if x.Expected["proved"] != 1 || x.Expected["quality"] != q || string(x.Result) != rw.String() || x.Tools["z3"] == "" {
		t.Fatalf("export: %+v", x)
	}
	got, tools, err := p.ReplayExport(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range x.Expected {
		if got[k] != v {
			t.Errorf("replay %s = %v, exported %v", k, got[k], v)
		}
	}
	if tools["z3"] != x.Tools["z3"] {
		t.Errorf("z3 %q, exported %q", tools["z3"], x.Tools["z3"])
	}
	out, err := exec.Command("sh", "-c", x.Commands["proved"]).Output()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Errorf("the z3 command printed %q, %v; want 1", out, err)
	}
	// A wrong rewrite is refuted by the same command.
	wrong := x86.MustParse("lea eax, [rdi+1]\nand eax, edi")
	cmd, err := proofCommand(b, b.target.Code, wrong)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command("sh", "-c", cmd).Output(); strings.TrimSpace(string(out)) != "0" {
		t.Errorf("the z3 command on a wrong rewrite printed %q, want 0", out)
	}
	if _, err := p.ExportResult(ctx, "p01", nil, q*2); err == nil {
		t.Errorf("export of a quality no kept rewrite stands for succeeded")
	}
}
