package widgets

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
)

// Stop is a Stop button shown in a notebook cell: a click cancels the
// context of the search, which then stores what it found and returns.
// Outside a notebook it shows nothing and does nothing (stopping with
// Ctrl-C is the caller's business).
//
// The button is built on gonb's comms, the channel gonb's own widgets use:
// the browser sends its click counter to an address the program
// subscribes to. It does not use gonbui/widgets.Button itself, because
// Button.Done waits for the browser to confirm the button, which never
// happens when a notebook is executed without a browser (nbclient,
// nbconvert), and its listener closes a channel that gonb's dispatcher may
// still send to (a data race under -race).
type Stop struct {
	cancel  context.CancelFunc
	blockID string
	sub     comms.SubscriptionId
	live    bool // a button was shown
	clicked atomic.Bool
	once    sync.Once
}

// StopButton shows a Stop button whose click calls cancel, and returns at
// once. Call Close when the search is over to take the button away.
func StopButton(cancel context.CancelFunc) *Stop {
	s := &Stop{cancel: cancel}
	if !InNotebook() {
		return s
	}
	s.live = true
	s.blockID = newBlockID("stop")
	buttonID := "supersonic_stop_" + gonbui.UniqueId()
	address := "/supersonic/stop/" + gonbui.UniqueId()
	comms.Start() // make sure the browser side of comms is installed
	// The button sends its click counter: 1, 2, …
	s.sub = comms.Subscribe(address, func(_ string, clicks int) {
		if clicks > 0 && s.clicked.CompareAndSwap(false, true) {
			s.cancel()
			gonbui.UpdateHtml(s.blockID, stopText("stopping: the search keeps what it found so far…"))
		}
	})
	gonbui.UpdateHtml(s.blockID, stopButtonHTML(buttonID, address))
	return s
}

// stopButtonHTML is the button and the script that sends its clicks to
// address through gonb's comms (the same protocol as gonb's Button
// widget). The script waits for gonb_comm, which comms.Start installs.
func stopButtonHTML(buttonID, address string) string {
	return fmt.Sprintf(`<div class="supersonic-stop"><button id="%[1]s" type="button" title="stop the search; what it found so far is kept" style="font-family:sans-serif;padding:2px 12px;border:1px solid #c44;border-radius:4px;background:#fff;color:#c44;cursor:pointer">&#9632; Stop</button></div>
<script>
(() => {
  let tries = 0;
  const connect = () => {
    const comm = globalThis?.gonb_comm;
    const button = document.getElementById(%[2]q);
    if (!button) return;
    if (!comm) {
      if (++tries < 100) setTimeout(connect, 100);
      else console.error("supersonic: gonb comms are not installed, the Stop button cannot reach the program");
      return;
    }
    const clicks = comm.newSyncedVariable(%[3]q, 0);
    button.addEventListener("click", () => {
      clicks.set(clicks.get() + 1);
      button.disabled = true;
      button.textContent = "stopping…";
    });
  };
  connect();
})();
</script>`, htmlEscape(buttonID), buttonID, address)
}

// Clicked reports whether the button was clicked.
func (s *Stop) Clicked() bool { return s.clicked.Load() }

// Close replaces the button by a note saying whether the search was
// stopped, and stops listening for clicks. It may be called more than
// once; it never calls cancel.
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
