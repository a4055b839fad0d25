package explain

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// FileFormat names the export file format (and its version).
const FileFormat = "supersonic-export/1"

// File is an exported result: everything needed to re-apply it on any
// machine with the same tools, as one JSON document.
type File struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	Task    string    `json:"task"`
	// TaskOptions are the options the task was opened with.
	TaskOptions map[string]string `json:"task_options,omitempty"`
	Run         RunRef            `json:"run"`
	Method      string            `json:"method"`
	Benchmark   string            `json:"benchmark"`
	// RecordedQuality is the quality the run store holds for the result.
	RecordedQuality float64 `json:"recorded_quality"`
	Program         Program `json:"program"`
	// Result is the resulting program when the actions do not determine
	// it (superopt's rewrite).
	Result *Program `json:"result,omitempty"`
	// Tools are the versions of the tools the numbers depend on.
	Tools map[string]string `json:"tools"`
	// Actions are the task's action names; Spelling the same actions in
	// the tool's own spelling (LLVM pipeline texts for code size).
	Actions  []string `json:"actions"`
	Spelling []string `json:"spelling,omitempty"`
	// Commands reproduce measures with the tools alone, run in a folder
	// holding the program as Program.Name; each prints the Expected
	// measure named by its key.
	Commands map[string]string `json:"commands,omitempty"`
	// Expected are the measures replay checks.
	Expected   map[string]float64 `json:"expected"`
	Validation string             `json:"validation"`
}

// RunRef names the run a result comes from.
type RunRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Program is the initial program, gzip-compressed and base64-encoded,
// with the SHA-256 of its uncompressed bytes.
type Program struct {
	Name     string `json:"name"`
	SHA256   string `json:"sha256"`
	Size     int    `json:"size"`
	Encoding string `json:"encoding"`
	Data     string `json:"data"`
}

const programEncoding = "gzip+base64"

func encodeProgram(name string, data []byte) (Program, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		return Program{}, err
	}
	if err := zw.Close(); err != nil {
		return Program{}, err
	}
	sum := sha256.Sum256(data)
	return Program{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: len(data), Encoding: programEncoding,
		Data: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// Bytes decodes the program and checks its hash.
func (p Program) Bytes() ([]byte, error) {
	if p.Encoding != programEncoding {
		return nil, fmt.Errorf("program encoding %q: want %s", p.Encoding, programEncoding)
	}
	raw, err := base64.StdEncoding.DecodeString(p.Data)
	if err != nil {
		return nil, fmt.Errorf("program data: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("program data: %w", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("program data: %w", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
		return nil, fmt.Errorf("program %s: SHA-256 %s, the file says %s: the file is corrupt", p.Name, got, p.SHA256)
	}
	return data, nil
}

// Export writes the result opt selects to one self-contained file (to, or
// RUN-BENCH[-METHOD].supersonic.json in the current folder when to is "")
// and returns the file's path and content. The task must implement
// rlcore.Exporter.
func Export(ctx context.Context, opt Options, to string) (string, *File, error) {
	l, err := locate(ctx, opt)
	if err != nil {
		return "", nil, fmt.Errorf("export: %w", err)
	}
	defer l.close()
	ex, ok := l.problem.(rlcore.Exporter)
	if !ok {
		return "", nil, fmt.Errorf("export: task %s cannot export results (it does not implement rlcore.Exporter)", l.problem.Task())
	}
	x, err := ex.ExportResult(ctx, l.Benchmark, l.Actions, l.Quality)
	if err != nil {
		return "", nil, fmt.Errorf("export %s on %s (run %d): %w", l.Method, l.Benchmark, l.Run.ID, err)
	}
	f := &File{Format: FileFormat, Created: time.Now().UTC().Round(time.Second), Task: l.problem.Task(), TaskOptions: l.Spec.TaskOptions,
		Run: RunRef{ID: l.Run.ID, Name: l.Run.Name, Kind: l.Run.Kind}, Method: l.Method, Benchmark: l.Benchmark, RecordedQuality: l.Quality,
		Tools: x.Tools, Actions: x.Actions, Spelling: x.Spelling, Commands: x.Commands, Expected: x.Expected, Validation: x.Validation}
	if q, ok := x.Expected["quality"]; ok && !sameNumber(q, l.Quality) {
		f.Validation += fmt.Sprintf("; NOTE: the run store recorded quality %.6g, replaying the actions gives %.6g", l.Quality, q)
	}
	if f.Program, err = encodeProgram(x.ProgramName, x.Program); err != nil {
		return "", nil, fmt.Errorf("export: %w", err)
	}
	if x.Result != nil {
		r, err := encodeProgram(x.ResultName, x.Result)
		if err != nil {
			return "", nil, fmt.Errorf("export: %w", err)
		}
		f.Result = &r
	}
	if to == "" {
		to = defaultFileName(l)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", nil, fmt.Errorf("export: %w", err)
	}
	if err := os.WriteFile(to, append(data, '\n'), 0o644); err != nil {
		return "", nil, fmt.Errorf("export: %w", err)
	}
	return to, f, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func defaultFileName(l *located) string {
	bench := l.Benchmark[strings.LastIndexAny(l.Benchmark, ":/")+1:]
	parts := []string{l.Run.Name, strings.TrimSuffix(bench, filepath.Ext(bench))}
	if l.Method != "" && l.Method != "supersonic" {
		parts = append(parts, l.Method)
	}
	name := unsafeChars.ReplaceAllString(strings.Join(parts, "-"), "_")
	return name + ".supersonic.json"
}

// ReadFile reads and checks an export file: its format and its program's
// hash.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s is not a Supersonic export (JSON): %w", path, err)
	}
	if f.Format != FileFormat {
		return nil, fmt.Errorf("%s: format %q, this Supersonic reads %s", path, f.Format, FileFormat)
	}
	if _, err := f.Program.Bytes(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Result != nil {
		if _, err := f.Result.Bytes(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return &f, nil
}

// Check is one number (or tool version) replay compared.
type Check struct {
	What      string
	Want, Got string
	OK        bool
}

// ReplayReport is the outcome of Replay: every check, and whether all
// passed.
type ReplayReport struct {
	File   *File
	Checks []Check
	OK     bool
}

// Replay re-applies an export file with the tools of this machine: it
// opens the task, re-applies the actions to the file's own program and
// compares every expected measure and every tool version, then runs each
// reproducer command on the program and compares what it prints. A
// difference is not an error: the report says precisely what differs.
// The error is for a file that cannot be read or a task that cannot run.
func Replay(ctx context.Context, path string) (*ReplayReport, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	prog, _ := f.Program.Bytes()
	// The seed does not matter: ReplayExport re-applies the export's own
	// content.
	p, err := rlcore.OpenTask(ctx, f.Task, f.TaskOptions, 1, nil)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", path, err)
	}
	defer p.Close()
	ex, ok := p.(rlcore.Exporter)
	if !ok {
		return nil, fmt.Errorf("replay %s: task %s cannot replay exports (no rlcore.Exporter)", path, f.Task)
	}
	x := &rlcore.Export{Benchmark: f.Benchmark, Program: prog, ProgramName: f.Program.Name, Tools: f.Tools,
		Actions: f.Actions, Spelling: f.Spelling, Commands: f.Commands, Expected: f.Expected}
	if f.Result != nil {
		x.Result, _ = f.Result.Bytes()
		x.ResultName = f.Result.Name
	}
	r := &ReplayReport{File: f, OK: true}
	add := func(c Check) {
		r.Checks = append(r.Checks, c)
		r.OK = r.OK && c.OK
	}
	got, tools, err := ex.ReplayExport(ctx, x)
	if err != nil {
		add(Check{What: "re-applying the actions", Want: "success", Got: err.Error()})
	}
	for _, k := range slices.Sorted(maps.Keys(f.Tools)) {
		add(Check{What: "tool " + k, Want: f.Tools[k], Got: tools[k], OK: tools[k] == f.Tools[k]})
	}
	if err == nil {
		for _, k := range slices.Sorted(maps.Keys(f.Expected)) {
			g, ok := got[k]
			c := Check{What: k, Want: fmtMeasure(f.Expected[k]), Got: "(not measured)"}
			if ok {
				c.Got, c.OK = fmtMeasure(g), sameNumber(g, f.Expected[k])
			}
			add(c)
		}
	}
	if len(f.Commands) > 0 {
		dir, err := os.MkdirTemp("", "supersonic-replay-cmd-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f.Program.Name)), prog, 0o644); err != nil {
			return nil, err
		}
		for _, k := range slices.Sorted(maps.Keys(f.Commands)) {
			add(runCommand(ctx, dir, k, f.Commands[k], f.Expected[k]))
		}
	}
	return r, nil
}

// runCommand runs one reproducer with sh in dir and compares the number
// it prints with want.
func runCommand(ctx context.Context, dir, key, cmdline string, want float64) Check {
	shown, _, cut := strings.Cut(cmdline, "\n")
	if cut || len(shown) > 400 {
		shown = shown[:min(len(shown), 400)] + " …"
	}
	c := Check{What: "command for " + key + ": " + shown, Want: fmtMeasure(want)}
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.Got = fmt.Sprintf("failed: %v: %s", err, strings.TrimSpace(stderr.String()))
		return c
	}
	s := strings.TrimSpace(string(out))
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		c.Got = fmt.Sprintf("printed %q, not a number", s)
		return c
	}
	c.Got, c.OK = fmtMeasure(v), sameNumber(v, want)
	return c
}

func sameNumber(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func fmtMeasure(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// Text renders the report: one line per check, what differs first.
func (r *ReplayReport) Text() string {
	var b strings.Builder
	f := r.File
	fmt.Fprintf(&b, "replay of %s on %s (task %s, %s run %d %q, %d actions)\n", f.Method, f.Benchmark, f.Task, f.Run.Kind, f.Run.ID, f.Run.Name, len(f.Actions))
	diffs := 0
	for _, c := range r.Checks {
		if !c.OK {
			diffs++
			fmt.Fprintf(&b, "DIFFERS  %s: expected %s, got %s\n", c.What, c.Want, c.Got)
		}
	}
	for _, c := range r.Checks {
		if c.OK {
			fmt.Fprintf(&b, "ok       %s = %s\n", c.What, c.Got)
		}
	}
	if r.OK {
		fmt.Fprintf(&b, "all %d checks reproduce the export.\n", len(r.Checks))
	} else {
		fmt.Fprintf(&b, "%d of %d checks differ.\n", diffs, len(r.Checks))
	}
	return b.String()
}
