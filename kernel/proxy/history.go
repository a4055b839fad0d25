package proxy

import (
	"bufio"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// history keeps the cells executed by this kernel and, when it has a file,
// by earlier kernels, and answers history_request as IPython does: each
// kernel process is a session numbered after the previous ones.
type history struct {
	mu      sync.Mutex
	path    string // "" keeps the history in memory only
	session int
	entries []historyEntry // oldest first, at most maxHistory
}

type historyEntry struct {
	Session int    `json:"session"`
	Line    int    `json:"line"`
	Input   string `json:"input"`
}

// maxHistory bounds the entries read from the file.
const maxHistory = 10000

// openHistory reads the history file (a JSON object per line) and starts a
// new session after the last one recorded. A missing or damaged file starts
// afresh with a warning; the history never stops the kernel.
func openHistory(path string) *history {
	h := &history{path: path, session: 1}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			slog.Warn("cannot read the cell history; starting a new one", "path", path, "err", err)
		}
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var e historyEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line cut short by a crash
		}
		h.entries = append(h.entries, e)
		if e.Session >= h.session {
			h.session = e.Session + 1
		}
	}
	if len(h.entries) > maxHistory {
		h.entries = append([]historyEntry(nil), h.entries[len(h.entries)-maxHistory:]...)
	}
	return h
}

// add records the cell numbered line of this session.
func (h *history) add(line int, input string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := historyEntry{Session: h.session, Line: line, Input: input}
	h.entries = append(h.entries, e)
	if len(h.entries) > 2*maxHistory {
		h.entries = append([]historyEntry(nil), h.entries[len(h.entries)-maxHistory:]...)
	}
	if h.path == "" {
		return
	}
	b, _ := json.Marshal(e)
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err == nil {
		var f *os.File
		if f, err = os.OpenFile(h.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			_, err = f.Write(append(b, '\n'))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			slog.Warn("cannot save the cell history", "path", h.path, "err", err)
		}
	}
}

// historyQuery is a history_request's content.
type historyQuery struct {
	Output     bool   `json:"output"`
	AccessType string `json:"hist_access_type"`
	Session    int    `json:"session"`
	Start      int    `json:"start"`
	Stop       int    `json:"stop"`
	N          int    `json:"n"`
	Pattern    string `json:"pattern"`
	Unique     bool   `json:"unique"`
}

// answer returns the history_reply's list: [session, line, input] triples,
// or [session, line, [input, null]] when output is asked for (outputs are
// not kept).
func (h *history) answer(q historyQuery) []any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var picked []historyEntry
	switch q.AccessType {
	case "range":
		session := q.Session
		if session <= 0 {
			session += h.session
		}
		for _, e := range h.entries {
			if e.Session == session && e.Line >= q.Start && (q.Stop <= 0 || e.Line < q.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		re := globRE(q.Pattern)
		seen := map[string]bool{}
		for i := len(h.entries) - 1; i >= 0; i-- {
			e := h.entries[i]
			if !re.MatchString(e.Input) || (q.Unique && seen[e.Input]) {
				continue
			}
			seen[e.Input] = true
			picked = append(picked, e)
			if q.N > 0 && len(picked) == q.N {
				break
			}
		}
		reverse(picked)
	default: // "tail"
		picked = h.entries
		if q.N > 0 && len(picked) > q.N {
			picked = picked[len(picked)-q.N:]
		}
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		if q.Output {
			out = append(out, []any{e.Session, e.Line, []any{e.Input, nil}})
		} else {
			out = append(out, []any{e.Session, e.Line, e.Input})
		}
	}
	return out
}

func reverse(s []historyEntry) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// globRE compiles a history search pattern: * matches any text, ? one
// character, as in IPython; "" matches everything.
func globRE(pattern string) *regexp.Regexp {
	if pattern == "" {
		pattern = "*"
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
