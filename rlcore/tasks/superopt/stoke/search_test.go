package stoke

import (
	"context"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

func specOf(t *hd.Target) Spec {
	return Spec{LiveIn: t.LiveIn, LiveOut: t.LiveOut, OutWidth: t.OutWidth}
}

func TestEvaluatorScoresTargetAndWrongRewrite(t *testing.T) {
	p01, _ := hd.Lookup("p01")
	rng := rand.New(rand.NewPCG(1, 1))
	ev := NewEvaluator(specOf(p01), p01.Code, CallerSaved, RandomTests(specOf(p01), 32, rng), DefaultWeights)
	if s := ev.Score(p01.Code); !s.Correct() || s.Latency != p01.Code.Latency() || ev.Quality(s) != 1 {
		t.Errorf("target scores %+v quality %v, want correct with quality 1", s, ev.Quality(s))
	}
	good := x86.MustParse("lea eax, [rdi-1]\nand eax, edi")
	if s := ev.Score(good); !s.Correct() || ev.Quality(s) != 3 {
		t.Errorf("lea/and scores %+v quality %v, want correct with quality 3", s, ev.Quality(s))
	}
	// The right value in the wrong register costs the misalignment only.
	moved := x86.MustParse("lea ecx, [rdi-1]\nand ecx, edi")
	if s := ev.Score(moved); s.Eq != 32*DefaultWeights.Misalign {
		t.Errorf("misplaced result: eq %d, want %d", s.Eq, 32*DefaultWeights.Misalign)
	}
	bad := x86.MustParse("lea eax, [rdi+1]\nand eax, edi")
	s := ev.Score(bad)
	if s.Correct() || ev.Quality(s) >= 3 || ev.Quality(s) <= 0 {
		t.Errorf("wrong rewrite scores %+v quality %v, want incorrect with quality in (0, 3)", s, ev.Quality(s))
	}
}

func TestMovesKeepProgramsValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tg := range hd.All() {
		pr := NewProposer(tg.Code, tg.LiveIn, tg.LiveOut)
		p := tg.Code.Clone()
		for i := range 3000 {
			m := Move(i % int(NumMoves))
			before := p.Clone()
			var changed bool
			p, changed, _ = pr.Apply(p, m, rng)
			if !changed && p.String() != before.String() {
				t.Fatalf("%s: move %v reported no change but changed the program", tg.Name, m)
			}
			for _, in := range p {
				if err := in.Validate(); err != nil {
					t.Fatalf("%s: move %v produced %v: %v", tg.Name, m, in, err)
				}
			}
			if len(p) > pr.MaxLen {
				t.Fatalf("%s: program grew to %d > %d", tg.Name, len(p), pr.MaxLen)
			}
		}
	}
}

func TestParseMove(t *testing.T) {
	for i, n := range MoveNames() {
		m, err := ParseMove(n)
		if err != nil || m != Move(i) || m.String() != n {
			t.Errorf("ParseMove(%q) = %v, %v", n, m, err)
		}
	}
	if _, err := ParseMove("teleport"); err == nil {
		t.Error("ParseMove(teleport) succeeded")
	}
}

// TestSearchFindsP01 runs the MH search with the weighted move on p01 and
// expects a z3-verified rewrite of latency 2, what gcc -O3 emits
// (lea eax, [rdi-1]; and eax, edi).
func TestSearchFindsP01(t *testing.T) {
	if _, err := exec.LookPath("z3"); err != nil {
		t.Skip("z3 not installed")
	}
	p01, _ := hd.Lookup("p01")
	res, err := Search(context.Background(), specOf(p01), p01.Code, Config{Move: MoveWeighted, Proposals: 4_000_000, Restart: 100_000, Goal: 2, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("p01: %d proposals, %d accepted, %d verifications, %d counterexamples in %v:\n%s",
		res.Proposals, res.Accepted, res.Verifications, res.Counterexamples, res.Elapsed, res.Rewrite)
	if !res.Verified || res.Latency > 2 {
		t.Errorf("best verified rewrite has latency %d (verified %v), want ≤ 2", res.Latency, res.Verified)
	}
}

// BenchmarkEvaluate measures candidate evaluations per second: scoring the
// p01..p25 naive targets (perturbed by one move) on 32 test cases.
func BenchmarkEvaluate(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	type cand struct {
		ev *Evaluator
		p  x86.Program
	}
	var cands []cand
	for _, tg := range hd.All() {
		ev := NewEvaluator(specOf(tg), tg.Code, CallerSaved, RandomTests(specOf(tg), 32, rng), DefaultWeights)
		p, _, _ := NewProposer(tg.Code, tg.LiveIn, tg.LiveOut).Apply(tg.Code.Clone(), MoveWeighted, rng)
		cands = append(cands, cand{ev, p})
	}
	insts := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := cands[i%len(cands)]
		c.ev.Score(c.p)
		insts += len(c.p) * 32
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(insts), "ns/inst")
}

// BenchmarkSearchProposals measures MH proposals per second (proposal,
// early-terminated scoring, acceptance; z3 time included when a proof is
// needed) on three targets of different length, 200k proposals each.
func BenchmarkSearchProposals(b *testing.B) {
	for _, name := range []string{"p01", "p10", "p16"} {
		tg, _ := hd.Lookup(name)
		b.Run(name, func(b *testing.B) {
			props, secs := 0, 0.0
			for i := 0; i < b.N; i++ {
				res, err := Search(context.Background(), specOf(tg), tg.Code, Config{Move: MoveWeighted, Proposals: 200_000, Seed: uint64(i + 1)})
				if err != nil {
					b.Fatal(err)
				}
				props += res.Proposals
				secs += res.Elapsed.Seconds()
			}
			b.ReportMetric(float64(props)/secs, "proposals/s")
		})
	}
}
