package search

import (
	"context"
	"io"
	"log/slog"
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
	for _, st := range Strategies() {
		for seed := range seeds {
			s := spec
			s.Seed = int64(seed + 1)
			res, err := Search(context.Background(), s, Options{Strategy: st.Name, Budget: rlcore.Budget{Steps: pulls}, Workers: 1, NoStore: true, Logger: quiet})
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
	t.Logf("best arm found in %d seeds: %v (chance: %.1f)", seeds, found, float64(seeds)/24)
	for _, st := range Strategies() {
		if found[st.Name] <= seeds/24+1 {
			t.Errorf("%s found the best arm in %d of %d seeds: no better than chance", st.Name, found[st.Name], seeds)
		}
		if st.Name != "random" && st.Name != "grid" && found[st.Name] <= found["random"] {
			t.Errorf("%s found the best arm in %d of %d seeds, random search in %d", st.Name, found[st.Name], seeds, found["random"])
		}
	}
}
