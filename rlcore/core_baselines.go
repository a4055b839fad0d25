package rlcore

// EndEpisode ends the current episode as complete although the env did not
// report Done: a searcher whose action sequences have a fixed length (random
// search with a horizon, simulated annealing, a genetic algorithm, greedy
// search that found no improving action) calls it after the sequence's last
// action. The episode then counts towards Budget.Episodes, resets the
// consecutive-failure count, appears on the curve and sends an EpisodeEnd
// event, exactly like an episode the env ended. It does nothing when no
// episode is in progress (the env already ended it, or a step failed).
func (r *Recorder) EndEpisode() {
	if r.inEpisode {
		r.closeEpisode(true)
	}
}
