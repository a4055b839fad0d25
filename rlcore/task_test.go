package rlcore

import "testing"

func TestEpisodeAs(t *testing.T) {
	var ep Episode = (*testEpisode)(nil)
	if _, err := EpisodeAs[*testEpisode](ep, "test-state"); err != nil {
		t.Fatal(err)
	}
	if _, err := EpisodeAs[*otherEpisode](ep, "test-state"); err == nil || err.Error() != "test-state needs a *rlcore.otherEpisode, got *rlcore.testEpisode" {
		t.Fatalf("err = %v", err)
	}
}

type testEpisode struct{ Episode }
type otherEpisode struct{ Episode }
