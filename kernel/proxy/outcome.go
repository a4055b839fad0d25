package proxy

import (
	"regexp"
	"strings"
)

// gonb replies "ok" to every cell whose program it could start, whatever
// the program did: a panic, os.Exit(3) or a magic's "error: …" then exit
// status 1 all look like success to nbclient, which then runs the next
// cell. gonb does say how the program ended: after the program's own
// output it writes one stderr stream message of its own, the error of
// exec.Cmd.Wait ("exit status 3", "signal: killed"), prefixed with "^C"
// when the kernel was interrupted. The proxy watches for that message and
// turns the reply into an error with a useful ename, evalue and traceback
// taken from the program's stderr.

// exitLineRE matches gonb's message after a program that did not exit 0.
var exitLineRE = regexp.MustCompile(`^(\^C\n)?(exit status -?\d+|signal: [a-z ]+)\n$`)

// failure is why a cell failed, as an execute_reply states it.
type failure struct {
	EName     string
	EValue    string
	Traceback []string
}

// maxTraceback bounds the lines of a traceback taken from stderr.
const maxTraceback = 60

// classify explains a failed cell program from the tail of its stderr and
// gonb's exit line (as matched by exitLineRE).
func classify(stderr, exitLine string) *failure {
	m := exitLineRE.FindStringSubmatch(exitLine)
	if m == nil {
		return nil
	}
	interrupted, status := m[1] != "", m[2]
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	// A panic (or a fatal runtime error): the message, then the stack.
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for _, prefix := range []string{"panic: ", "fatal error: "} {
			if !strings.HasPrefix(line, prefix) {
				continue
			}
			msg := strings.TrimSpace(strings.TrimPrefix(line, prefix))
			msg = strings.TrimSuffix(msg, " [recovered]")
			tb := lines[i:]
			if len(tb) > maxTraceback {
				tb = append(tb[:maxTraceback:maxTraceback], "…")
			}
			ename := "GoPanic"
			if prefix == "fatal error: " {
				ename = "GoFatalError"
			}
			return &failure{EName: ename, EValue: msg, Traceback: append(append([]string{}, tb...), status)}
		}
	}
	if interrupted || status == "signal: interrupt" {
		return &failure{EName: "KeyboardInterrupt", EValue: "the cell was interrupted (" + status + ")", Traceback: []string{"KeyboardInterrupt: " + status}}
	}
	// A magic's expansion reports its error as "error: …" and exits 1;
	// plain Go cells often do the same with log.Fatal.
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-40; i-- {
		line := strings.TrimSpace(lines[i])
		if msg, ok := strings.CutPrefix(line, "error: "); ok && msg != "" {
			return &failure{EName: "Error", EValue: msg, Traceback: []string{"Error: " + msg, status}}
		}
	}
	last := ""
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" {
			last = t
			break
		}
	}
	evalue := "the cell's program ended with " + status
	if last != "" {
		evalue += ": " + last
	}
	return &failure{EName: "ExitError", EValue: evalue, Traceback: []string{"ExitError: " + evalue}}
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) add(s string) {
	t.buf = append(t.buf, s...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
}

func (t *tail) String() string { return string(t.buf) }
