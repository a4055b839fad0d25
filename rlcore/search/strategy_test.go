package search

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestStrategiesFindTheBestArm runs every strategy on the 24-arm synthetic
// space with known arm qualities over 20 seeds at an equal budget of 72
// pulls, and counts how often the winner is the truly best arm.
func TestStrategiesFindTheBestArm(t *testing.T) {
	const seeds, pulls = 20, 72
	spec := synSpec("strategies")
	if got := bestArmName(spec); !isBest(got) {
		t.Fatalf("fixture: best arm is %s", got)
	}
	found := map[string]int{}
	builtin := Strategies()[:6]
	for _, st := range builtin {
		for seed := range seeds {
			s := spec
			s.Seed = int64(seed + 1)
			res, err := Search(context.Background(), s, Options{Strategy: st.Name, Budget: rlcore.Budget{Pulls: pulls}, Workers: 1, NoStore: true, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != rlcore.BudgetExhausted || len(res.Pulls) != pulls {
				t.Fatalf("%s seed %d: status %v after %d pulls, want budget after %d", st.Name, seed, res.Status, len(res.Pulls), pulls)
			}
			if res.Winner != nil && isBest(res.Winner.Name) {
				found[st.Name]++
			}
		}
	}
	pruned := 0
	for seed := range 3 {
		s := spec
		s.Seed = int64(seed + 1)
		res, _ := Search(context.Background(), s, Options{Strategy: "bandit", Budget: rlcore.Budget{Pulls: 150}, Workers: 1, NoStore: true, Logger: quiet})
		for _, a := range res.Arms {
			if a.Pruned {
				pruned++
				if isBest(a.Name) {
					t.Errorf("seed %d: bandit pruned the best arm", seed)
				}
			}
		}
	}
	if pruned == 0 {
		t.Error("bandit pruned no arm in 150 pulls over 24 arms")
	}
	t.Logf("best arm found in %d seeds: %v (chance: %.1f)", seeds, found, float64(seeds)/24)
	for _, st := range builtin {
		if found[st.Name] <= seeds/24+1 {
			t.Errorf("%s found the best arm in %d of %d seeds: no better than chance", st.Name, found[st.Name], seeds)
		}
		if st.Name != "random" && st.Name != "grid" && found[st.Name] <= found["random"] {
			t.Errorf("%s found the best arm in %d of %d seeds, random search in %d", st.Name, found[st.Name], seeds, found["random"])
		}
	}
}

// firstArm is a user strategy: it always pulls arm 0.
type firstArm struct{}

func (firstArm) Next(*Board) (int, bool)     { return 0, true }
func (firstArm) Observe(*Board, *PullResult) {}

func TestRegisterStrategy(t *testing.T) {
	RegisterStrategy(StrategyInfo{Name: "first-arm", Doc: "always arm 0", New: func(*Board, rlcore.Budget, *rand.Rand) Strategy { return firstArm{} }})
	res, err := Search(context.Background(), synSpec("custom"), Options{Strategy: "first-arm", Budget: rlcore.Budget{Pulls: 5}, Workers: 2, NoStore: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Winner == nil || res.Winner.Index != 0 || res.Winner.Pulls != 5 {
		t.Fatalf("winner %+v, want arm 0 with 5 pulls", res.Winner)
	}
}
