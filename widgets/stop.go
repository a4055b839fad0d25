package widgets

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	gonbwidgets "github.com/janpfeifer/gonb/gonbui/widgets"
)

// Stop is a Stop button shown in a notebook cell: a click cancels the
// context of the search, which then stores what it found and returns.
// Outside a notebook it shows nothing and does nothing (stopping with
// Ctrl-C is the caller's business).
type Stop struct {
	cancel  context.CancelFunc
	blockID string
	sub     comms.SubscriptionId
	live    bool // a button was shown
	clicked atomic.Bool
	once    sync.Once
}

// StopButton shows a Stop button whose click calls cancel. It returns at
// once: the button is built in the background, because gonb's button waits
// for the browser to confirm it, which never happens when the notebook is
// executed without a browser (nbclient, nbconvert). Call Close when the
// search is over to take the button away.
func StopButton(cancel context.CancelFunc) *Stop {
	s := &Stop{cancel: cancel}
	if !InNotebook() {
		return s
	}
	s.live = true
	s.blockID = newBlockID("stop")
	parent := "supersonic_stop_" + gonbui.UniqueId()
	address := "/supersonic/stop/" + gonbui.UniqueId()
	// The button sends its click counter: 0 when created, then 1, 2, …
	s.sub = comms.Subscribe(address, func(_ string, clicks int) {
		if clicks > 0 && s.clicked.CompareAndSwap(false, true) {
			s.cancel()
			gonbui.UpdateHtml(s.blockID, stopText("stopping: the search keeps what it found so far…"))
		}
	})
	gonbui.UpdateHtml(s.blockID, fmt.Sprintf(`<div id="%s" class="supersonic-stop"></div>`, parent))
	go gonbwidgets.Button("&#9632; Stop").WithAddress(address).AppendTo(parent).Done()
	return s
}

// Clicked reports whether the button was clicked.
func (s *Stop) Clicked() bool { return s.clicked.Load() }

// Close replaces the button by a note saying whether the search was
// stopped or ended, and stops listening for clicks. It may be called more
// than once; it never calls cancel.
func (s *Stop) Close() {
	s.once.Do(func() {
		if !s.live {
			return
		}
		comms.Unsubscribe(s.sub)
		if s.clicked.Load() {
			gonbui.UpdateHtml(s.blockID, stopText("stopped by the user"))
		} else {
			gonbui.UpdateHtml(s.blockID, "")
		}
	})
}

func stopText(msg string) string {
	return `<div class="supersonic-stop" style="font-family:sans-serif;color:#555">` + htmlEscape(msg) + `</div>`
}
