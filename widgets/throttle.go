package widgets

import (
	"io"
	"sync"
	"time"
)

// redrawn is what a widget redrawn in place by a throttled renderer holds
// (Leaderboard, LiveCurves): its display and block id, where its progress
// text goes, the renderer, whether it is closed (under mu, which guards the
// widget's own data too) and the renderer's first error.
type redrawn struct {
	display  Display
	progress io.Writer
	id       string
	th       *throttle

	mu     sync.Mutex
	closed bool

	err error // renderer goroutine only
}

// close stops taking data, draws the final frame, waits for the display
// to show it and returns the renderer's first error.
func (r *redrawn) close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.th.stop()
	if r.display != nil {
		flush(r.display)
	}
	return r.err
}

// setErr keeps the renderer's first error.
func (r *redrawn) setErr(err error) {
	if r.err == nil {
		r.err = err
	}
}

// throttle calls draw from its own goroutine, at most once per interval,
// whenever poke was called since the last call. Pokes that arrive while a
// frame is drawn or while it waits are merged into the next frame: frames
// are dropped, never queued, and poke never blocks.
//
// The wait after a frame is the larger of the interval and ten times the
// time the frame took, so that drawing never takes more than about a tenth
// of a core however slow the machine is.
type throttle struct {
	interval time.Duration
	draw     func(final bool)
	wake     chan struct{} // capacity 1: a pending frame
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func startThrottle(interval time.Duration, draw func(final bool)) *throttle {
	t := &throttle{
		interval: interval,
		draw:     draw,
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go t.loop()
	return t
}

// poke asks for a frame; it returns at once.
func (t *throttle) poke() {
	select {
	case t.wake <- struct{}{}:
	default: // a frame is already pending
	}
}

// stop draws the final frame and waits for the goroutine to end. It may be
// called more than once.
func (t *throttle) stop() {
	t.stopOnce.Do(func() { close(t.quit) })
	<-t.done
}

func (t *throttle) loop() {
	defer close(t.done)
	timer := time.NewTimer(0)
	<-timer.C
	for {
		select {
		case <-t.quit:
			t.draw(true)
			return
		case <-t.wake:
		}
		start := time.Now()
		t.draw(false)
		wait := max(t.interval, 10*time.Since(start))
		timer.Reset(wait)
		select {
		case <-t.quit:
			timer.Stop()
			t.draw(true)
			return
		case <-timer.C:
		}
	}
}
