// Package widgets draws what a Supersonic search is doing and what it found:
// live reward curves (one line per arm, redrawn in place a few times a
// second), a leaderboard of arms, comparison charts against the compiler
// default and the baselines, and a Stop button that cancels a search.
//
// In a notebook run by gonb, output goes to the cell through gonbui display
// updates. Elsewhere (a plain program, go test, CI) the same widgets print a
// compact progress line per second and, when an output directory is given,
// write the charts as SVG and PNG files. Nothing needs a frontend.
//
// The widgets never slow training down: Observe only records the event in a
// small lock-protected state; a renderer goroutine draws at most once per
// interval from the latest state, so frames are dropped, never queued.
//
// A search wires them like this (see ExampleNewLiveCurves):
//
//	ctx, cancel := context.WithCancel(ctx)
//	stop := widgets.StopButton(cancel) // a button in a notebook, nothing elsewhere
//	defer stop.Close()
//	live := widgets.NewLiveCurves(widgets.LiveOptions{Title: "search codesize", Budget: budget})
//	board := widgets.NewLeaderboard(widgets.LeaderboardOptions{Title: "arms"})
//	cfg.Observer = rlcore.Tee(cfg.Observer, live.Observe) // for every run; Run names the arm
//	…                                                      // board.Update(rows) after each pull
//	live.Close()  // final frame, files
//	board.Close()
//
// Stored results are drawn again with RenderCurves, RenderComparison,
// RenderTimeToQuality and RenderLeaderboard.
//
// Charts are drawn with gonum.org/v1/plot. Long curves are decimated before
// drawing (first, min, max and last point per pixel column), which keeps a
// frame's size and rendering time bounded whatever the number of episodes.
package widgets
