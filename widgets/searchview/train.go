package searchview

import (
	"fmt"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/widgets"
)

// Train shows a training run across programs: the live curves of the
// training episodes' quality and of the held-out fold's score after each
// round, then the rounds.
type Train struct {
	live *widgets.LiveCurves
}

// WatchTrain starts the widgets of a training run across programs.
func WatchTrain(name string, budget rlcore.Budget) *Train {
	return &Train{live: widgets.NewLiveCurves(widgets.LiveOptions{
		Title: "train " + name + " across programs", Budget: budget, X: widgets.XSteps, Y: widgets.YQuality,
		Caption: "quality of each training episode, and after each round the greedy policy's geomean quality on the held-out fold (1.0 = the task's reference)",
	})}
}

// Options returns o with the widgets' observer added.
func (t *Train) Options(o search.TrainOptions) search.TrainOptions {
	o.Observer = rlcore.Tee(o.Observer, t.live.Observe)
	return o
}

// Close draws the final frame and prints the rounds and the policy kept.
func (t *Train) Close(res *search.TrainResult) error {
	err := t.live.Close()
	if res == nil {
		return err
	}
	fmt.Printf("train (run %d): %s after %d rounds in %s; arm %s\n", res.RunID, res.Status, len(res.Rounds), res.Elapsed.Round(1e7), res.Arm)
	fmt.Printf("weights: started %s\n", res.Weights)
	fmt.Printf("corpus: %d programs (%s); held-out fold: %s\n", len(res.Corpus), abbreviate(res.Corpus, 8), strings.Join(res.HeldOut, ", "))
	for _, r := range res.Rounds {
		if r.Err != nil {
			fmt.Printf("  round %2d  %7d steps  held-out evaluation failed: %v\n", r.Round, r.Steps, r.Err)
			continue
		}
		fmt.Printf("  round %2d  %7d steps  held-out %.4f  (policy %d)\n", r.Round, r.Steps, r.Score, r.Policy)
	}
	if res.Policy != 0 {
		fmt.Printf("kept policy %d (round %d, held-out %.4f): %%deploy --zero-shot and %%compare apply it\n", res.Policy, res.Best.Round, res.Best.Score)
	}
	if res.Err != nil {
		fmt.Println("error:", res.Err)
	}
	return err
}

// abbreviate lists the first n names and how many more there are.
func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more", strings.Join(names[:n], ", "), len(names)-n)
}
