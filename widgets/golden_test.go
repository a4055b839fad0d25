package widgets

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

var update = flag.Bool("update", false, "rewrite the charts in testdata (for the README)")

// TestReadmeCharts draws realistic charts: a 10-arm search as the live
// widget shows it at the end, and a comparison. With -update it saves them
// in testdata (live-curves.png is the README's picture).
func TestReadmeCharts(t *testing.T) {
	events := syntheticSearch(7, 10, 1000)
	// Two arms stopped early by the search, one failed.
	var kept []rlcore.Event
	for _, e := range events {
		if (e.Run == armNames[3] || e.Run == armNames[8]) && e.Episode > 350 {
			continue
		}
		if e.Run == armNames[6] && e.Episode > 120 {
			continue
		}
		kept = append(kept, e)
	}
	kept = append(kept,
		rlcore.Event{Kind: rlcore.RunDone, Run: armNames[3], Status: rlcore.Interrupted},
		rlcore.Event{Kind: rlcore.RunDone, Run: armNames[8], Status: rlcore.Interrupted},
		rlcore.Event{Kind: rlcore.RunDone, Run: armNames[6], Status: rlcore.Failed},
	)
	lc := NewLiveCurves(LiveOptions{Title: "search codesize (bandit, 4 workers)", Display: Headless,
		Progress: &bytes.Buffer{}, Budget: rlcore.Budget{Duration: 5 * time.Minute}})
	for _, e := range kept {
		lc.Observe(e)
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	// The picture shows the state 3m12s into a 5-minute search.
	snap := lc.snapshot()
	snap.elapsed = 3*time.Minute + 12*time.Second
	live := lc.figure(snap)
	cmp, err := PlotComparison(sampleComparison())
	if err != nil {
		t.Fatal(err)
	}
	// Time to quality on one benchmark: the deployed policy and baselines.
	var methods []Series
	for i, m := range []string{"supersonic", "greedy", "random", "anneal", "genetic"} {
		s := seriesOf(syntheticRun(uint64(40+i), m, 300))[0]
		s.Name = m
		methods = append(methods, s)
	}
	ttq := PlotTimeToQuality("time to quality on qsort", methods)
	for name, f := range map[string]*Figure{"live-curves": live, "comparison": cmp, "time-to-quality": ttq} {
		pngData, err := f.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(pngData))
		if err != nil {
			t.Fatalf("%s: PNG does not decode: %v", name, err)
		}
		if w := img.Bounds().Dx(); w < 1000 {
			t.Errorf("%s: PNG is %d px wide, want a sharp image of at least 1000 px", name, w)
		}
		parseSVG(t, mustSVG(t, f))
		if *update {
			if err := f.WriteFiles("testdata", name); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", filepath.Join("testdata", name+".png"))
		}
	}
	if !*update {
		if _, err := os.Stat(filepath.Join("testdata", "live-curves.png")); err != nil {
			t.Logf("testdata/live-curves.png missing: run go test -run TestReadmeCharts -update")
		}
	}
}
