package codesize

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

func TestEpisodeApplyForkMeasure(t *testing.T) {
	ctx := context.Background()
	ep := newEpisode(t, shared, "csmith:7")
	o0, _ := ep.Reference(ctx, "o0", "ic")
	oz, _ := ep.Reference(ctx, "oz", "ic")
	o3, _ := ep.Reference(ctx, "o3", "ic")
	if ic, _ := ep.Measure(ctx, "ic"); ic != o0 || o0 < 1000 || oz <= 0 || oz >= o0 || o3 <= 0 {
		t.Fatalf("csmith:7: start ic %v, baselines o0 %v oz %v o3 %v; want start = O0 > 1000 > … and 0 < Oz < O0", ic, o0, oz, o3)
	}
	if q, _ := ep.Quality(ctx); q != 0 {
		t.Errorf("quality at O0 = %v, want 0", q)
	}
	if q, _ := ep.Reference(ctx, "oz", "quality"); q != 1 {
		t.Errorf("quality of Oz = %v, want 1", q)
	}
	size0, err := ep.Measure(ctx, "textsize")
	if err != nil || size0 <= 0 {
		t.Fatalf("textsize at O0 = %v, %v", size0, err)
	}
	if b, _ := ep.Reference(ctx, "o0", "textsize"); b != size0 {
		t.Errorf("textsize %v differs from the O0 baseline %v", size0, b)
	}

	fork, err := ep.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fork.Close()
	for _, pass := range []string{"-sroa", "-instcombine", "-simplifycfg"} {
		if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
			t.Fatal(err)
		}
	}
	ic, _ := ep.Measure(ctx, "ic")
	q, _ := ep.Quality(ctx)
	if ic >= o0 || math.Abs(q-(o0-ic)/(o0-oz)) > 1e-12 || q <= 0 {
		t.Errorf("after sroa,instcombine,simplifycfg: ic %v quality %v; want ic < %v and quality = (O0−IC)/(O0−Oz) > 0", ic, q, o0)
	}
	if size, _ := ep.Measure(ctx, "textsize"); size >= size0 {
		t.Errorf("textsize after optimizing %v, want < O0's %v", size, size0)
	}
	if fic, _ := fork.Measure(ctx, "ic"); fic != o0 {
		t.Errorf("the fork changed with its parent: ic %v, want %v", fic, o0)
	}
	if got := strings.Join(ep.Passes(), " "); got != "-sroa -instcombine -simplifycfg" {
		t.Errorf("Passes() = %q", got)
	}

	counts, err := ep.InstCount(ctx)
	if err != nil || len(counts) != llvm.InstCountDim || counts[0] != int64(ic) {
		t.Fatalf("InstCount = %v (len %d), %v; want TotalInsts = %v", counts[:3], len(counts), err, ic)
	}
	ir, err := ep.IR(ctx)
	if err != nil || !strings.Contains(ir, "define") || strings.Count(ir, "alloca") >= strings.Count(mustIR(t, fork), "alloca") {
		t.Errorf("IR after sroa: %d bytes, %v; want fewer allocas than at O0", len(ir), err)
	}
	bc, err := ep.Bitcode(ctx)
	if err != nil || len(bc) < 4 || string(bc[:2]) != "BC" {
		t.Errorf("Bitcode: %d bytes, %v", len(bc), err)
	}
	ap, err := ep.Autophase(ctx)
	if err != nil || len(ap) != llvm.AutophaseDim || ap[51] != int64(ic) {
		t.Fatalf("Autophase TotalInsts = %v, %v; want %v", ap[51], err, ic)
	}
}

func TestTaskEnvComponents(t *testing.T) {
	ctx := context.Background()
	p, err := rlcore.OpenTask(ctx, TaskName, map[string]string{"cache": testCache}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	seq := []string{"-mem2reg", "-instcombine", "-licm", "-gvn", "-simplifycfg", "-dce", "-inline", "-reg2mem"}
	for _, tc := range []struct {
		state, reward, actions, transition string
		dim                                int
		bench                              string
	}{
		{"instcount", "ic", "all", "apply", 70, "csmith:7"},
		{"instcount-norm", "ic-norm", "all", "apply", 69, "csmith:7"},
		{"autophase", "ic-oz", "all", "apply", 56, "csmith:7"},
		{"autophase+action-history(2)", "ic-o3", "all", "revert-if-worse", 56 + 2*len(Passes), "csmith:7"},
		{"autophase", "ic-oz", "oz-passes", "apply", 56, "csmith:7"},
		// textsize compiles the module at every step: use a small program.
		{"instcount", "textsize", "all", "apply", 70, "testdata/suite/crc.c"},
		{"instcount", "textsize-norm", "all", "apply", 70, "testdata/suite/crc.c"},
		{"instcount", "textsize-oz", "all", "apply", 70, "testdata/suite/crc.c"},
		{"instcount", "textsize-o3", "all", "revert-if-worse", 70, "testdata/suite/crc.c"},
	} {
		t.Run(tc.state+"/"+tc.reward+"/"+tc.actions+"/"+tc.transition, func(t *testing.T) {
			env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: tc.state, Reward: tc.reward, Actions: tc.actions, Transition: tc.transition}})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			obs, err := env.Reset(ctx, tc.bench)
			if err != nil {
				t.Fatal(err)
			}
			if len(obs) != tc.dim || !env.ObservationSpace().Contains(obs) {
				t.Fatalf("observation of length %d (want %d), in space: %v", len(obs), tc.dim, env.ObservationSpace().Contains(obs))
			}
			agent := map[string]int{}
			for a := 0; a < env.ActionSpace().N; a++ {
				agent[env.ActionName(a)] = a
			}
			metric := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(tc.reward, "-norm"), "-oz"), "-o3"), "")
			start, _ := env.Episode().Measure(ctx, metric)
			var ret, prevQ float64
			for _, pass := range seq {
				a, ok := agent[pass]
				if !ok {
					continue // not in this action space
				}
				sr, err := env.Step(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				ret += sr.Reward
				if tc.transition == "revert-if-worse" && env.Quality() < prevQ {
					t.Errorf("revert-if-worse: quality fell from %v to %v after %s", prevQ, env.Quality(), pass)
				}
				prevQ = env.Quality()
			}
			end, _ := env.Episode().Measure(ctx, metric)
			o0, _ := rlcore.MeasureReference(ctx, env.Episode(), "o0", metric)
			var want float64
			switch {
			case strings.HasSuffix(tc.reward, "-norm"):
				want = (start - end) / o0
			case strings.HasSuffix(tc.reward, "-oz"), strings.HasSuffix(tc.reward, "-o3"):
				b, _ := rlcore.MeasureReference(ctx, env.Episode(), tc.reward[len(tc.reward)-2:], metric)
				want = (start - end) / math.Max(o0-b, 1)
			default:
				want = start - end
			}
			if math.Abs(ret-want) > 1e-9*math.Max(1, math.Abs(want)) || end >= start {
				t.Errorf("return %v, want the telescoped %v (metric %s from %v to %v)", ret, want, metric, start, end)
			}
			if tc.reward == "ic-oz" && math.Abs(ret-env.Quality()) > 1e-9 {
				t.Errorf("ic-oz return %v differs from the quality %v", ret, env.Quality())
			}
		})
	}
}

func mustIR(t *testing.T, ep rlcore.Episode) string {
	t.Helper()
	ir, err := ep.(*Episode).IR(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ir
}
