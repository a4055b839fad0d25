package magic

import (
	"errors"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		code string
		name string
		ok   bool
	}{
		{"%supersonic help", "supersonic", true},
		{"\n\n  %supersonic list states\n", "supersonic", true},
		{"%%task foo\nenv: codesize", "task", true},
		{"%search foo", "search", true},
		{"%%\nfmt.Println(1)", "", false},               // gonb's main marker
		{"%goflags -race", "", false},                   // gonb's own command
		{"%list", "", false},                            // gonb's own command
		{"fmt.Println(1)\n%supersonic help", "", false}, // not on the first line
		{"", "", false},
		{"%supersonicx help", "", false},
	}
	for _, tc := range tests {
		name, ok := Detect(tc.code)
		if ok != tc.ok || (ok && name != tc.name) {
			t.Errorf("Detect(%q) = %q, %v; want %q, %v", tc.code, name, ok, tc.name, tc.ok)
		}
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		code     string
		wantErr  string   // substring of the error; "" for success
		wantCode []string // substrings of the expansion
	}{
		{code: "%supersonic help", wantCode: []string{"%supersonic help", "gonbui.SendData", "%%\n"}},
		{code: "%supersonic help search", wantCode: []string{"%search NAME"}},
		{code: "%supersonic help %%task", wantCode: []string{"%%task NAME"}},
		{code: "%supersonic version", wantCode: []string{`"` + Version + `"`, "runtime.Version()"}},
		{code: "%supersonic list", wantCode: []string{`rlcore.List(kind, task)`, `task := ""`, `"states"`, `"algorithms"`, CoreImport}},
		{code: "%supersonic list rewards codesize", wantCode: []string{`[]rlcore.Kind{"rewards"}`, `task := "codesize"`, `rlcore.LookupTask(task)`}},
		{code: "%supersonic list rewards code size", wantErr: "list takes at most a kind and a task"},
		{code: "%supersonic list rewards 9x", wantErr: `task "9x": a name starts with a letter`},
		{code: "%supersonic list state", wantCode: []string{`[]rlcore.Kind{"states"}`}},
		{code: "%supersonic list rewards --show-go", wantCode: []string{"gonbui.DisplayMarkdown", "```go", `[]rlcore.Kind{"rewards"}`}},
		{code: "%supersonic list --show-go algorithms", wantCode: []string{`[]rlcore.Kind{"algorithms"}`, "```go"}},
		{code: "%supersonic", wantErr: "missing subcommand; allowed: help, version, list"},
		{code: "%supersonic lst", wantErr: `unknown subcommand "lst"; allowed: help, version, list`},
		{code: "%supersonic list widgets", wantErr: `unknown component kind "widgets"; known: tasks, states`},

		{code: "%supersonic version now", wantErr: "version takes no arguments"},
		{code: "%supersonic help nosuch", wantErr: `no magic or task "nosuch"; magics: %supersonic, %%task, %search`},
		{code: "%supersonic list --budget 5m", wantErr: "unknown flag --budget; allowed: --show-go"},
		{code: "%supersonic list --show-go=yes", wantErr: "--show-go takes no value"},
		{code: `%supersonic list "states`, wantErr: "unterminated \" quote"},
		{code: "%supersonic help\nfmt.Println(1)", wantErr: "takes a single line"},
		{code: "%%supersonic help", wantErr: "is not a cell magic: write %supersonic"},
		{code: "%task foo", wantErr: "is a cell magic: write %%task"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			exp, err := Run(tc.code)
			if tc.wantErr != "" {
				var me *Error
				if !errors.As(err, &me) {
					t.Fatalf("Run(%q) error = %v, want a *magic.Error containing %q", tc.code, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Run(%q) error = %q, want it to contain %q", tc.code, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run(%q): %v", tc.code, err)
			}
			for _, want := range tc.wantCode {
				if !strings.Contains(exp.Code, want) {
					t.Errorf("expansion of %q lacks %q:\n%s", tc.code, want, exp.Code)
				}
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	m := &Magic{
		Name: "testflags", Usage: "%testflags NAME [--budget B] [--fast]", Doc: "test",
		Flags: []Flag{{Name: "budget", Value: "B"}, {Name: "fast"}},
		Parse: func(*Call) (Command, error) { return nil, nil },
	}
	Register(m)
	defer func() { mu.Lock(); delete(registry, "testflags"); mu.Unlock() }()
	tests := []struct {
		line    string
		args    []string
		flags   map[string]string
		showGo  bool
		wantErr string
	}{
		{line: "%testflags a b", args: []string{"a", "b"}, flags: map[string]string{}},
		{line: "%testflags a --budget 5m", args: []string{"a"}, flags: map[string]string{"budget": "5m"}},
		{line: "%testflags --budget=200trials a --fast --show-go", args: []string{"a"}, flags: map[string]string{"budget": "200trials", "fast": "true"}, showGo: true},
		{line: `%testflags "two words" 'x y'`, args: []string{"two words", "x y"}, flags: map[string]string{}},
		{line: "%testflags --budget", wantErr: "needs a value: --budget B"},
		{line: "%testflags --budget --fast", wantErr: "needs a value"},
		{line: "%testflags --fast=1", wantErr: "takes no value"},
		{line: "%testflags --fast --fast", wantErr: "given twice"},
		{line: "%testflags --slow", wantErr: "unknown flag --slow; allowed: --budget B, --fast, --show-go"},
	}
	for _, tc := range tests {
		c, err := Parse(tc.line)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tc.line, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.line, err)
			continue
		}
		if strings.Join(c.Args, "|") != strings.Join(tc.args, "|") || c.ShowGo != tc.showGo || len(c.Flags) != len(tc.flags) {
			t.Errorf("Parse(%q) = args %q flags %v showGo %v; want %q %v %v", tc.line, c.Args, c.Flags, c.ShowGo, tc.args, tc.flags, tc.showGo)
		}
		for k, v := range tc.flags {
			if c.Flags[k] != v {
				t.Errorf("Parse(%q): flag %s = %q, want %q", tc.line, k, c.Flags[k], v)
			}
		}
	}
}

func TestRegisterRejectsGonbNames(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering goflags did not panic")
		}
	}()
	Register(&Magic{Name: "goflags", Usage: "u", Doc: "d", Parse: func(*Call) (Command, error) { return nil, nil }})
}

func TestComplete(t *testing.T) {
	tests := []struct {
		code   string
		cursor int // -1: end of code
		want   []string
		start  int
		ok     bool
	}{
		{"%su", -1, []string{"%supersonic"}, 0, true},
		{"%%ta", -1, []string{"%%task"}, 0, true},
		{"%supersonic ", -1, []string{"help", "version", "list", "workers"}, 12, true},
		{"%supersonic l", -1, []string{"list"}, 12, true},
		{"%supersonic list st", -1, []string{"states"}, 17, true},
		{"%supersonic list ", -1, []string{"actions", "algorithms", "measures", "rewards", "states", "tasks", "transitions"}, 17, true},
		{"%supersonic list --sh", -1, []string{"--show-go"}, 17, true},
		{"%supersonic help se", -1, []string{"search"}, 17, true},
		{"%supersonic help\n", -1, nil, 0, false},
		{"fmt.Prin", -1, nil, 0, false},
		{"%go", -1, nil, 0, false}, // gonb's %goflags: gonb answers
		{"%su   \nmore", 3, []string{"%supersonic"}, 0, true},
	}
	for _, tc := range tests {
		cursor := tc.cursor
		if cursor < 0 {
			cursor = len([]rune(tc.code))
		}
		got, ok := Complete(tc.code, cursor)
		if ok != tc.ok {
			t.Errorf("Complete(%q, %d) ok = %v, want %v", tc.code, cursor, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if strings.Join(got.Matches, " ") != strings.Join(sortedCopy(tc.want), " ") && strings.Join(got.Matches, " ") != strings.Join(tc.want, " ") {
			t.Errorf("Complete(%q) = %q, want %q", tc.code, got.Matches, tc.want)
		}
		if got.Start != tc.start || got.End != cursor {
			t.Errorf("Complete(%q) replaces [%d,%d), want [%d,%d)", tc.code, got.Start, got.End, tc.start, cursor)
		}
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestInspectAndHelp(t *testing.T) {
	help, ok := Inspect("%supersonic list")
	if !ok || !strings.Contains(help, "%supersonic list [KIND]") || !strings.Contains(help, "--show-go") {
		t.Errorf("Inspect = %q, %v", help, ok)
	}
	if _, ok := Inspect("fmt.Println()"); ok {
		t.Error("Inspect answered for a Go cell")
	}
	ov := Overview()
	if !strings.Contains(ov, "%supersonic") || strings.Index(ov, "%supersonic") > strings.Index(ov, "%search") {
		t.Errorf("Overview should list %%supersonic first:\n%s", ov)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"a b  c", []string{"a", "b", "c"}, false},
		{`"a b" c`, []string{"a b", "c"}, false},
		{`a\ b`, []string{"a b"}, false},
		{`'a\b'`, []string{`a\b`}, false},
		{`""`, []string{""}, false},
		{`"abc`, nil, true},
		{`abc\`, nil, true},
	}
	for _, tc := range tests {
		got, err := Split(tc.in)
		if (err != nil) != tc.err || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Split(%q) = %q, %v; want %q, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"%supersonic help", "%supersonic list states --show-go", "%%task x\nenv: a", `%supersonic "a`, "%search x --budget=5m", "%su\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		exp, err := Run(code)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Run(%q) returned a %T, want *magic.Error", code, err)
			}
			return
		}
		if !strings.Contains(exp.Code, "%%\n") {
			t.Fatalf("Run(%q) expansion lacks gonb's %%%% marker", code)
		}
		runes := []rune(code)
		for i := 0; i <= len(runes); i += 1 + len(runes)/8 {
			c, ok := Complete(code, i)
			if ok && (c.Start > c.End || c.End != i) {
				t.Fatalf("Complete(%q, %d) = bad range [%d,%d)", code, i, c.Start, c.End)
			}
		}
	})
}

func TestUnknown(t *testing.T) {
	for _, tc := range []struct {
		code, want string // want "" when the cell is gonb's
	}{
		{"%%\nfmt.Println(1)", ""},
		{"%env X 1", ""},
		{"% main", ""},
		{"%%writefile x.go\npackage x", ""},
		{"fmt.Println(1)", ""},
		{"%nosuch", `unknown magic "%nosuch"`},
		{"%%nosuch\nbody", `unknown magic "%%nosuch"`},
		{"% search demo", "write %search as one word"},
		{"%% task demo\nx: y", "write %%task as one word"},
		{"%" + strings.Repeat("x", 100000), "more characters"},
	} {
		err := Unknown(tc.code)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Unknown(%.30q) = %v, want nil", tc.code, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("Unknown(%.30q) = %v, want an error containing %q", tc.code, err, tc.want)
		case err != nil && len(err.Error()) > 1000:
			t.Errorf("Unknown(%.30q) echoes %d characters", tc.code, len(err.Error()))
		}
	}
}
