package codesize

import (
	"log/slog"
	"sync"
	"time"
)

// Preparation progress is logged only when it is slow: a line every
// progressEvery while a benchmark is being prepared, and one at the end
// when it took more than progressAfter.
const (
	progressEvery = 15 * time.Second
	progressAfter = 5 * time.Second
)

// progress reports the preparation of one benchmark.
type progress struct {
	name  string
	start time.Time
	stop  chan struct{}

	mu  sync.Mutex
	now string
}

func startProgress(name string) *progress {
	pr := &progress{name: name, start: time.Now(), stop: make(chan struct{})}
	go func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-pr.stop:
				return
			case <-t.C:
				slog.Info("codesize: still preparing a benchmark", "benchmark", name, "stage", pr.stage(),
					"elapsed", time.Since(pr.start).Round(time.Second))
			}
		}
	}()
	return pr
}

func (pr *progress) set(stage string) {
	pr.mu.Lock()
	pr.now = stage
	pr.mu.Unlock()
}

func (pr *progress) stage() string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.now
}

func (pr *progress) done(err error) {
	close(pr.stop)
	if took := time.Since(pr.start); took > progressAfter && err == nil {
		slog.Info("codesize: prepared a benchmark", "benchmark", pr.name, "took", took.Round(100*time.Millisecond))
	}
}
