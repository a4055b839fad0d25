package widgets_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/widgets"
)

// A search wires the widgets like this: the Stop button cancels the
// search's context, every run's events go to the live curves (Observe is
// an rlcore.Observer), and the search updates the leaderboard after each
// pull. In a notebook the three appear in the cell and update in place;
// elsewhere (as here) progress lines go to Progress and the final chart to
// Dir.
func ExampleNewLiveCurves() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := widgets.StopButton(cancel) // nothing is shown outside a notebook
	defer stop.Close()

	budget := rlcore.Budget{Steps: 3 * 4 * 45 * 10}
	live := widgets.NewLiveCurves(widgets.LiveOptions{
		Title:    "search codesize",
		Budget:   budget,
		Progress: io.Discard, // default: stderr when not in a notebook
		// Dir: "charts", // writes charts/live-curves.svg and .png on Close
	})
	board := widgets.NewLeaderboard(widgets.LeaderboardOptions{Title: "arms", Progress: io.Discard})

	// A toy search: three arms, each pulled four times; a pull trains the
	// arm for 10 episodes. A real search passes live.Observe (or
	// rlcore.Tee(other, live.Observe)) as TrainConfig.Observer.
	arms := []string{"ppo·autophase", "dqn·instcount", "a2c·history"}
	rows := make([]widgets.ArmRow, len(arms))
	for i, a := range arms {
		rows[i] = widgets.ArmRow{Arm: a, Score: math.NaN(), Status: widgets.ArmWaiting}
	}
	steps := make([]int, len(arms))
	for pull := 0; pull < 4 && ctx.Err() == nil; pull++ {
		for i, a := range arms {
			for ep := 0; ep < 10; ep++ {
				steps[i] += 45
				q := float64(i+1) * (1 - math.Exp(-float64(steps[i])/900)) / 3
				live.Observe(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: a, Step: steps[i],
					Episode: steps[i] / 45, Elapsed: time.Duration(steps[i]) * time.Millisecond, Quality: q, Best: q})
			}
			rows[i].Pulls++
			rows[i].Steps = steps[i]
			rows[i].Score = float64(i+1) * (1 - math.Exp(-float64(steps[i])/900)) / 3
			rows[i].Status = widgets.ArmRunning
			board.Update(rows)
		}
	}
	for i, a := range arms {
		live.Observe(rlcore.Event{Kind: rlcore.RunDone, Run: a, Status: rlcore.BudgetExhausted})
		rows[i].Status = widgets.StatusOf(rlcore.BudgetExhausted)
	}
	board.Update(rows)
	if err := live.Close(); err != nil { // final frame and files
		fmt.Println(err)
	}
	if err := board.Close(); err != nil {
		fmt.Println(err)
	}
	_ = widgets.WriteLeaderboardText(os.Stdout, "arms", rows)
	// Output:
	// arms
	// #  arm            score   pulls  steps  status
	// 1  a2c·history    0.8647  4      1.8k   done
	// 2  dqn·instcount  0.5764  4      1.8k   done
	// 3  ppo·autophase  0.2882  4      1.8k   done
}

// %show RUN re-renders a stored run: curves from the stored points of each
// arm, and the comparison from its results.
func ExampleRenderComparison() {
	c := widgets.Comparison{
		Title:      "code size vs -Oz",
		Reference:  "-Oz",
		Methods:    []string{"supersonic", "random"},
		Benchmarks: []string{"qsort", "sha"},
		Values:     [][]float64{{1.04, 1.02}, {0.98, math.NaN()}},
		Overhead: []widgets.OverheadRow{
			{Method: "supersonic", Search: 40 * time.Minute, Deploy: 2 * time.Second, Benchmarks: 2, Steps: 90},
			{Method: "random", Deploy: time.Minute, Benchmarks: 2, Steps: 4000,
				TimeRatio: widgets.Ratios{Geomean: 4.2, Min: 1.5, Max: 11.8}, Missed: 1},
		},
	}
	// In a notebook: the bar chart and the overhead table in the cell.
	// Headless: text on Text, and SVG/PNG/HTML files when Dir is set.
	out := widgets.Output{Text: os.Stdout}
	if err := widgets.RenderComparison(out, "comparison", c); err != nil {
		fmt.Println(err)
	}
	// Output:
	// code size vs -Oz
	// method      geomean vs -Oz  benchmarks  time to target ÷ policy's  search  deploy
	// supersonic  +3.00%          2/2         –                          40m     2s
	// random      -2.00%          1/2         4.20×                      –       1m
}
