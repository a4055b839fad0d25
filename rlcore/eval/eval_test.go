package eval

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"maps"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/all"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestParseVariant(t *testing.T) {
	base := rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "apply"}
	for _, tc := range []struct {
		in          string
		want        rlcore.Arm
		fromScratch bool
		guided      bool
		temperature float64
		hyper       rlcore.Hyper
		wantErr     string
	}{
		{in: "g=mode:guided", want: base, guided: true},
		{in: "g=mode:guided;temperature:2", want: base, guided: true, temperature: 2},
		{in: "g=temperature:0", wantErr: "want a positive number"},
		{in: "t=mode:guided;mode:train", want: base},
		{in: "g=mode:sample", wantErr: "allowed values guided"},
		{in: "e=hyper:ent_coef=0.01; hyper:lr=0.003", want: base, hyper: rlcore.Hyper{"ent_coef": 0.01, "lr": 0.003}},
		{in: "e=hyper:ent_coef", wantErr: "want hyper:NAME=NUMBER"},
		{in: "e=hyper:ent_coef=lots", wantErr: "want hyper:NAME=NUMBER"},
		{in: "e=hyper:temperature=2", wantErr: "temperature"},
		{in: "e=hyper:ent_coef=5", wantErr: "ent_coef"},
		{in: "scratch=weights:scratch", want: base, fromScratch: true},
		{in: "s=weights:stored;state:instcount", want: rlcore.Arm{Algorithm: "ppo", State: "instcount", Reward: "ic-oz", Actions: "all", Transition: "apply"}},
		{in: "s=weights:fresh", wantErr: "allowed values scratch"},
		{in: "rw=transition:revert-if-worse", want: rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "revert-if-worse"}},
		{in: "x = actions:oz-passes; algorithm:a2c", want: rlcore.Arm{Algorithm: "a2c", State: "autophase", Reward: "ic-oz", Actions: "oz-passes", Transition: "apply"}},
		{in: "noname", wantErr: "want NAME=KEY:VALUE"},
		{in: "=state:x", wantErr: "want NAME=KEY:VALUE"},
		{in: "a=colour:red", wantErr: `unknown key "colour"`},
		{in: "a=state", wantErr: "is not KEY:VALUE"},
	} {
		v, err := ParseVariant(tc.in, base)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseVariant(%q) error %v, want one containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || v.Arm != tc.want || v.FromScratch != tc.fromScratch || v.Guided != tc.guided || v.Temperature != tc.temperature || !maps.Equal(v.Hyper, tc.hyper) {
			t.Errorf("ParseVariant(%q) = %+v, %v; want arm %+v", tc.in, v, err, tc.want)
		}
	}
}

// TestOverhead checks the overhead against numbers worked out by hand: on
// p1 the client finds 1.10 at 2 s and random reaches it at 8 s (4x); on p2
// random never reaches the client's 1.2 within the 10 s budget, so the
// ratio is the budget over the client's 5 s (2x, a lower bound).
func TestOverhead(t *testing.T) {
	tb := &Table{Budget: 10 * time.Second, Programs: []string{"p1", "p2"}, Methods: []string{ClientMethod, "oz", "random"},
		Quality: map[string]map[string]float64{
			ClientMethod: {"p1": 1.10, "p2": 1.2},
			"oz":         {"p1": 1, "p2": 1},
			"random":     {"p1": 1.15, "p2": 1.1},
		},
		Found: map[string]map[string]time.Duration{
			ClientMethod: {"p1": 2 * time.Second, "p2": 5 * time.Second},
			"random":     {"p1": 9 * time.Second, "p2": 3 * time.Second},
		}}
	curves := map[string]map[string][]rlcore.CurvePoint{
		"random": {"p1": {{Elapsed: 4 * time.Second, Best: 1.0}, {Elapsed: 8 * time.Second, Best: 1.12}}},
	}
	tb.summarize(curves, []string{"oz", "random"})
	if len(tb.Overheads) != 1 || tb.Best != "random" {
		t.Fatalf("overheads %+v, best %q; want one for random, the best", tb.Overheads, tb.Best)
	}
	o := tb.Overheads[0]
	if math.Abs(o.PerProgram["p1"]-4) > 1e-9 || math.Abs(o.PerProgram["p2"]-2) > 1e-9 || o.Censored != 1 || math.Abs(o.Geomean-math.Sqrt(8)) > 1e-9 {
		t.Errorf("overhead %+v; want p1 4x, p2 2x (censored), geomean √8", o)
	}
	if want := math.Sqrt(1.10 * 1.2); math.Abs(tb.Geomean[ClientMethod]-want) > 1e-12 {
		t.Errorf("client geomean %v, want %v", tb.Geomean[ClientMethod], want)
	}
	if s := tb.summaryLine(); !strings.Contains(s, "search overhead of random ≥2.83x") {
		t.Errorf("summary %q does not give random's overhead as a lower bound", s)
	}
}

// TestRunTiny runs the harness for real (libLLVM, the run store) on two
// small programs with a 4 s budget (at load 16 on 2 cores, 2 s did not
// always finish one episode of the client RL on xtea), then again cancelled after the first result, which must
// return the partial table.
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the client RL and the baselines on libLLVM: skipped with -short")
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "eval.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arm := rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "apply"}
	programs := []string{"builtin:xtea", "builtin:base64"}
	var mu sync.Mutex
	var progress []Progress
	rep, err := Run(context.Background(), Options{Programs: programs, Budgets: []time.Duration{4 * time.Second}, Methods: []string{"oz", "random"},
		Arm: &arm, Variants: []string{"rw=transition:revert-if-worse"}, Seed: 3, Store: st, Logger: quiet,
		Progress: func(p Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != rlcore.Finished || len(rep.Tables) != 1 {
		t.Fatalf("status %s, %d tables; want finished, 1", rep.Status, len(rep.Tables))
	}
	tb := rep.Tables[0]
	wantMethods := []string{ClientMethod, ClientMethod + ":rw", "oz", "random"}
	if strings.Join(tb.Methods, " ") != strings.Join(wantMethods, " ") {
		t.Errorf("methods %v, want %v", tb.Methods, wantMethods)
	}
	for _, m := range wantMethods {
		for _, p := range programs {
			q := tb.quality(m, p)
			if math.IsNaN(q) || q <= 0 || q > 2 {
				t.Errorf("%s on %s: quality %v (error %q), want a plausible quality", m, p, q, tb.Errors[m][p])
			}
		}
		if math.IsNaN(tb.Geomean[m]) {
			t.Errorf("%s: no geomean", m)
		}
	}
	if q := tb.quality("oz", programs[0]); math.Abs(q-1) > 1e-9 {
		t.Errorf("-Oz quality %v, want exactly 1", q)
	}
	if len(progress) != len(wantMethods)*len(programs) || progress[len(progress)-1].Done != progress[len(progress)-1].Of {
		t.Errorf("%d progress reports (last %+v), want %d ending in done = of", len(progress), progress[len(progress)-1], len(wantMethods)*len(programs))
	}
	if d := tb.Walltime[ClientMethod][programs[0]]; d < time.Second || d > time.Minute {
		t.Errorf("client RL's walltime %v with a 2 s budget", d)
	}
	if tb.Best != "random" || len(tb.Overheads) != 1 || math.IsNaN(tb.Overheads[0].Geomean) {
		t.Errorf("best %q, overheads %+v; want random with a geomean", tb.Best, tb.Overheads)
	}
	var buf bytes.Buffer
	if err := rep.CSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// header + programs×methods + a geomean per method + one overhead
	if want := 1 + len(programs)*len(wantMethods) + len(wantMethods) + 1; len(rows) != want {
		t.Errorf("%d CSV rows, want %d", len(rows), want)
	}
	for _, s := range []string{rep.Text(), rep.Markdown()} {
		if !strings.Contains(s, "builtin:base64") || !strings.Contains(s, "geomean") || !strings.Contains(s, "search overhead") || !strings.Contains(s, "mean time") {
			t.Errorf("rendered table lacks programs, geomean or overhead:\n%s", s)
		}
	}

	// Cancelled after the first result: a partial, interrupted report.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err = Run(ctx, Options{Programs: programs, Budgets: []time.Duration{2 * time.Second, 3 * time.Second}, Methods: []string{"oz", "random"},
		Arm: &arm, Seed: 3, Store: st, Logger: quiet, Progress: func(Progress) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != rlcore.Interrupted || len(rep.Tables) != 1 || rep.Tables[0].Status != rlcore.Interrupted {
		t.Fatalf("cancelled: status %s with %d tables; want interrupted with the first, partial table", rep.Status, len(rep.Tables))
	}
	if _, ok := rep.Tables[0].Quality[ClientMethod][programs[0]]; !ok {
		t.Errorf("cancelled: the first result (client RL on %s) was lost", programs[0])
	}
}

func TestOptionsErrors(t *testing.T) {
	arm := rlcore.Arm{Algorithm: "ppo"}
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{Budgets: []time.Duration{-time.Second}}, "want a positive duration"},
		{Options{Run: "x", Arm: &arm}, "not both"},
		{Options{Programs: []string{"builtin:crc32"}, Arm: &arm, Store: &store.Store{}}, "also a training benchmark"},
	} {
		if _, err := Run(context.Background(), tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%+v) error %v, want one containing %q", tc.opt, err, tc.want)
		}
	}
	for _, b := range HeldOut {
		if !IsHeldOut(b) || DefaultSpec().Benchmarks[0] == b {
			t.Errorf("held-out %s: IsHeldOut false or a training benchmark", b)
		}
	}
}

// TestVariantPolicy checks which stored policy a variant starts from: the
// policy trained across programs only for the client RL's own arm and
// when the variant is not trained from scratch.
func TestVariantPolicy(t *testing.T) {
	arm := rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "coreset", Transition: "apply"}
	other := arm
	other.Actions = "all"
	rep := &Report{Arm: arm, TrainPolicy: 12}
	for _, tc := range []struct {
		v    Variant
		want int64
	}{
		{Variant{Name: "same", Arm: arm}, 12},
		{Variant{Name: "scratch", Arm: arm, FromScratch: true}, 0},
		{Variant{Name: "all", Arm: other}, 0},
	} {
		if got := variantPolicy(tc.v, rep); got != tc.want {
			t.Errorf("variant %s: policy %d, want %d", tc.v.Name, got, tc.want)
		}
	}
	rep.ClientWeights = "warm start from policy 12 (run 3, score 1.2000)"
	rep.Variants = []Variant{{Name: "scratch", Arm: arm, FromScratch: true}}
	if s := rep.Text(); !strings.Contains(s, "client RL's weights on each program: warm start from policy 12") || !strings.Contains(s, "supersonic:scratch: "+arm.String()+", trained from fresh weights") {
		t.Errorf("the report does not say which weights the client RL and its variant started from:\n%s", s)
	}
}
