package cluster

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// A pull run on a remote worker keeps its failed episodes (issue 18, item
// 6): the coordinator stores and shows them like a local pull's.
func TestWirePullKeepsFailedEpisodes(t *testing.T) {
	p := &search.PullResult{Seq: 3, Status: "ok", Score: 0.5, FailedEpisodes: 4, EpisodeErrors: []string{"crash 1", "crash 2"},
		Result: &rlcore.Result{Stats: rlcore.Stats{Episodes: 9, FailedEpisodes: 4}, EpisodeErrors: []string{"crash 1", "crash 2"}}}
	w, err := toWirePull(p)
	if err != nil {
		t.Fatal(err)
	}
	data, err := encode(w)
	if err != nil {
		t.Fatal(err)
	}
	var back wirePull
	if err := decode(data, &back); err != nil {
		t.Fatal(err)
	}
	got := back.pull()
	if got.FailedEpisodes != 4 || len(got.EpisodeErrors) != 2 || got.Result == nil || len(got.Result.EpisodeErrors) != 2 || got.Result.Stats.FailedEpisodes != 4 {
		t.Fatalf("after the wire: %+v (result %+v)", got, got.Result)
	}
}
