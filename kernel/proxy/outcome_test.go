package proxy

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	panicked := "hello\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/main.go:5 +0x25\n"
	for _, tc := range []struct {
		name, stderr, exit string
		ename, evalue      string
	}{
		{"clean exit", "", "", "", ""},
		{"not gonb's line", "", "exit status 1 and more\n", "", ""},
		{"panic", panicked, "exit status 2\n", "GoPanic", "boom"},
		{"fatal", "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1", "exit status 2\n", "GoFatalError", "all goroutines are asleep - deadlock!"},
		{"magic error", "searching…\nerror: no task \"x\" declared\n", "exit status 1\n", "Error", `no task "x" declared`},
		{"os.Exit", "", "exit status 3\n", "ExitError", "the cell's program ended with exit status 3"},
		{"os.Exit after output", "last words\n", "exit status 3\n", "ExitError", "the cell's program ended with exit status 3: last words"},
		{"interrupt", "", "^C\nsignal: killed\n", "KeyboardInterrupt", "the cell was interrupted (signal: killed)"},
		{"killed", "", "signal: killed\n", "ExitError", "the cell's program ended with signal: killed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := classify(tc.stderr, tc.exit)
			if tc.ename == "" {
				if f != nil {
					t.Fatalf("classify = %+v, want nil", f)
				}
				return
			}
			if f == nil || f.EName != tc.ename || f.EValue != tc.evalue {
				t.Fatalf("classify = %+v, want %s: %s", f, tc.ename, tc.evalue)
			}
		})
	}
	f := classify(panicked, "exit status 2\n")
	if !strings.Contains(strings.Join(f.Traceback, "\n"), "main.main()") {
		t.Errorf("the panic's traceback lacks the stack: %q", f.Traceback)
	}
}

func TestTail(t *testing.T) {
	tl := tail{max: 5}
	tl.add("abc")
	tl.add("defg")
	if got := tl.String(); got != "cdefg" {
		t.Errorf("tail = %q, want cdefg", got)
	}
}

func TestHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	first := openHistory(path)
	first.add(1, "x := 1")
	first.add(2, "%nosuch")
	second := openHistory(path) // the next kernel
	second.add(1, "%supersonic help")
	second.add(2, "%nosuch")
	inputs := func(h []any) []string {
		var out []string
		for _, e := range h {
			out = append(out, e.([]any)[2].(string))
		}
		return out
	}
	for _, tc := range []struct {
		q    historyQuery
		want []string
	}{
		{historyQuery{AccessType: "tail", N: 3}, []string{"%nosuch", "%supersonic help", "%nosuch"}},
		{historyQuery{AccessType: "range", Session: 0, Start: 1}, []string{"%supersonic help", "%nosuch"}},
		{historyQuery{AccessType: "range", Session: -1, Start: 1, Stop: 2}, []string{"x := 1"}},
		{historyQuery{AccessType: "search", Pattern: "%no*", Unique: true}, []string{"%nosuch"}},
		{historyQuery{AccessType: "search", Pattern: "x ?= 1"}, []string{"x := 1"}},
	} {
		if got := inputs(second.answer(tc.q)); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%+v: got %q, want %q", tc.q, got, tc.want)
		}
	}
	if got := second.answer(historyQuery{AccessType: "tail", N: 1, Output: true}); len(got) != 1 || len(got[0].([]any)[2].([]any)) != 2 {
		t.Errorf("with output: got %v, want [session, line, [input, output]]", got)
	}
}
