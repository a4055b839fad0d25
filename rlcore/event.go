package rlcore

import (
	"math"
	"time"
)

// EventKind tells what an Event reports.
type EventKind int

const (
	// EpisodeEnd: an episode finished; Return, Quality and Benchmark are set.
	EpisodeEnd EventKind = iota
	// Progress: a periodic report during training (Loss, StepsPerSec).
	Progress
	// EpisodeFailed: an episode raised an error (Err); training goes on.
	EpisodeFailed
	// RunDone: the run stopped; Status is set.
	RunDone
)

func (k EventKind) String() string {
	switch k {
	case EpisodeEnd:
		return "episode"
	case Progress:
		return "progress"
	case EpisodeFailed:
		return "episode-failed"
	case RunDone:
		return "done"
	}
	return "unknown"
}

// Event is a metric streamed by a training run or a search. Events are
// small values; observers must return quickly and must not block (widgets
// drop frames rather than slow training down).
type Event struct {
	Kind      EventKind
	Run       string        // label of the run (an arm's name in a search)
	Elapsed   time.Duration // since the run started
	Step      int           // environment steps so far
	Episode   int           // completed episodes so far
	Benchmark string
	Return    float64 // the finished episode's return
	Quality   float64 // the finished episode's best task quality (see Scorer)
	Best      float64 // best score so far in the run
	Loss      float64 // latest training loss, NaN if none
	StepsPerS float64 // environment steps per second
	Status    Status  // RunDone only
	Err       error   // EpisodeFailed only
	// Worker names the remote worker training the run ("" in this
	// process; see package rlcore/search/cluster).
	Worker string
}

// Observer receives events. It must not block.
type Observer func(Event)

// Tee returns an Observer that forwards every event to each non-nil observer.
func Tee(obs ...Observer) Observer {
	var live []Observer
	for _, o := range obs {
		if o != nil {
			live = append(live, o)
		}
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		return live[0]
	}
	return func(e Event) {
		for _, o := range live {
			o(e)
		}
	}
}

var nan = math.NaN()
