package search

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/example"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       Spec
		err        string
	}{
		{name: "design example", body: `
env: codesize
benchmarks: builtin:* ; test: csmith:1-10
states: instcount-norm, autophase, action-history(8)
rewards: ic-oz, ic-delta
transitions: apply, revert-if-worse
algorithms: ppo, a2c, dqn, reinforce, qlearning, mcts
horizon: 45
`, want: Spec{Name: "t", Task: "codesize", Seed: 1, Benchmarks: []string{"builtin:*"}, Test: []string{"csmith:1-10"},
			States: []string{"instcount-norm", "autophase", "action-history(8)"}, Rewards: []string{"ic-oz", "ic-delta"},
			Transitions: []string{"apply", "revert-if-worse"}, Horizon: 45,
			Algorithms: []AlgorithmSpec{{Name: "ppo"}, {Name: "a2c"}, {Name: "dqn"}, {Name: "reinforce"}, {Name: "qlearning"}, {Name: "mcts"}}}},
		{name: "options, folds, hyperparameters, combined states, comments", body: `
# code size with cross-validation
task: codesize
option.cflags: -std=gnu89 -Wno-error=implicit-int   # old C
benchmarks: builtin:*, csmith:1-30
folds: 3
fold: 2
states: autophase + action-history( 4 ), instcount-norm
algorithms: ppo(lr=3e-4, clip=0.2), ppo, reinforce(lr=0.01)
seed: -7
pull: 500steps
baseline: o3
baselines: random, anneal
`, want: Spec{Name: "t", Task: "codesize", Seed: -7, TaskOptions: map[string]string{"cflags": "-std=gnu89 -Wno-error=implicit-int"},
			Benchmarks: []string{"builtin:*", "csmith:1-30"}, Folds: 3, Fold: 2,
			States:     []string{"autophase+action-history(4)", "instcount-norm"},
			Algorithms: []AlgorithmSpec{{Name: "ppo", Hyper: rlcore.Hyper{"lr": 3e-4, "clip": 0.2}}, {Name: "ppo"}, {Name: "reinforce", Hyper: rlcore.Hyper{"lr": 0.01}}},
			PullBudget: rlcore.Budget{Steps: 500}, Reference: "o3", Methods: []string{"random", "anneal"}}},
		{name: "unknown key", body: "task: x\nbudget: 5m", err: "line 2: budget: unknown key; keys: task, option.NAME, benchmarks"},
		{name: "no colon", body: "task codesize", err: `line 1: "task codesize" is not ` + "`key: value`"},
		{name: "duplicate", body: "task: a\n\nenv: b\ntask: c", err: "line 3: task given twice (first on line 1)"},
		{name: "empty item", body: "states: a,,b", err: "line 1: states: empty item"},
		{name: "unbalanced", body: "algorithms: ppo(lr=1", err: "unbalanced '('"},
		{name: "bad hyper", body: "algorithms: ppo(lr)", err: "want name=value"},
		{name: "hyper not a number", body: "algorithms: ppo(lr=fast)", err: `lr="fast" is not a number`},
		{name: "bad folds", body: "folds: 1", err: "line 1: folds: \"1\": want an integer in [2, 100]"},
		{name: "bad budget", body: "pull: soon", err: "line 1: pull: budget"},
		{name: "no value", body: "states:", err: "line 1: states: no value"},
		{name: "repeated state", body: "states: a, a", err: "a listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSpec("t", tc.body)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
			again, err := ParseSpec("t", got.Body())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("Body() does not read back: %v\n%s\n%+v", err, got.Body(), again)
			}
		})
	}
	if _, err := ParseSpec("", "task: x"); err == nil {
		t.Fatal("a task cell without a name parsed")
	}
}

func TestArmsAreTheCartesianProduct(t *testing.T) {
	s := synSpec("arms")
	arms := s.Arms()
	if len(arms) != 24 {
		t.Fatalf("%d arms, want 3×2×2×2 = 24", len(arms))
	}
	b := newBoard(arms, s.dims(), 2)
	seen := map[string]bool{}
	for i, a := range arms {
		if seen[a.String()] {
			t.Fatalf("arm %s twice", a)
		}
		seen[a.String()] = true
		v := b.Vec(i)
		if b.Index(v) != i || s.withDefaults().States[v[1]] != a.State || s.Algorithms[v[0]].String() != a.Algorithm || s.Transitions[v[4]] != a.Transition {
			t.Fatalf("arm %d = %s does not match its vector %v", i, a, v)
		}
	}
	d := Spec{Task: "example", States: []string{"s-good"}, Algorithms: []AlgorithmSpec{{Name: "syn-a"}}}.Arms()
	if len(d) != 1 || d[0].Reward != "quality-delta" || d[0].Actions != "all" || d[0].Transition != "apply" {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestValidateListsAllowedNames(t *testing.T) {
	s := synSpec("v")
	s.Rewards = []string{"r-good", "r-best"}
	s.Transitions = append(s.Transitions, "quantum")
	s.Folds, s.Test = 3, []string{"ex3"}
	err := s.Validate()
	if err == nil {
		t.Fatal("invalid spec validated")
	}
	for _, want := range []string{`unknown reward "r-best"; known:`, "r-good", `unknown transition "quantum"`, "both folds and test"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestValidateChecksBenchmarkSpecs(t *testing.T) {
	s := synSpec("v")
	s.Benchmarks = []string{"ex:*", "ex9"}
	s.Test = []string{"nosuch"}
	err := s.Validate()
	for _, want := range []string{`benchmarks: example: unknown benchmark "ex9"`, `test: example: unknown benchmark "nosuch"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
}

func TestSplitFolds(t *testing.T) {
	p := &example.Problem{}
	s := Spec{Benchmarks: []string{"ex:*"}, Folds: 2, Seed: 3}
	seen := map[string]int{}
	for fold := range 2 {
		s.Fold = fold
		train, test, err := s.Split(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(train) != 2 || len(test) != 2 {
			t.Fatalf("fold %d: train %v test %v", fold, train, test)
		}
		for _, b := range test {
			seen[b]++
		}
	}
	if len(seen) != 4 {
		t.Fatalf("the folds' test sets %v do not cover the 4 benchmarks once each", seen)
	}
	s.Folds = 5
	if _, _, err := s.Split(context.Background(), p); err == nil || !strings.Contains(err.Error(), "needs at least 5") {
		t.Fatalf("5 folds of 4 benchmarks: %v", err)
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add("task: codesize\nbenchmarks: builtin:* ; test: csmith:1-10\nstates: autophase+action-history(8)\nalgorithms: ppo(lr=3e-4), a2c\nhorizon: 45")
	f.Add("option.cflags: -O0 ; x\nfolds: 3\nfold: 1\npull: 2m,50steps\n# c")
	f.Add("algorithms: a(b=1,c=2),d\nbaselines: random\nseed: 9")
	f.Fuzz(func(t *testing.T, body string) {
		s, err := ParseSpec("fuzz", body)
		if err != nil {
			return
		}
		again, err := ParseSpec("fuzz", s.Body())
		if err != nil {
			t.Fatalf("Body() of a parsed spec does not parse: %v\n%s", err, s.Body())
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip changed the spec:\n%+v\n%+v\nbody:\n%s", s, again, s.Body())
		}
		s.Arms()
	})
}

func TestSplitListQuotes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: `a, b`, want: []string{"a", "b"}},
		{in: `"my dir/a.c", b.c`, want: []string{"my dir/a.c", "b.c"}},
		{in: ` "a, b (1).c" ,c`, want: []string{"a, b (1).c", "c"}},
		{in: `dir/"x y".c`, want: []string{"dir/x y.c"}},
		{in: `ppo(lr=0.1, clip=0.2), a2c`, want: []string{"ppo(lr=0.1, clip=0.2)", "a2c"}},
		{in: `"unterminated, x`, err: "unterminated"},
		{in: `a,,b`, err: "empty item"},
	} {
		got, err := splitList(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("splitList(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("splitList(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	s, err := ParseSpec("q", "task: synthetic # a comment\nbenchmarks: \"a#1;b.c\" ; test: syn2\nstates: s-good\nalgorithms: syn-a\n")
	if err != nil || len(s.Benchmarks) != 1 || s.Benchmarks[0] != "a#1;b.c" || len(s.Test) != 1 {
		t.Fatalf("quoted '#' and ';': %q %q, %v", s.Benchmarks, s.Test, err)
	}
}
