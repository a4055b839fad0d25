package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	clang      = "clang-19"
	runTimeout = 10 * time.Second
	// minO0Instructions is the least IR a benchmark must give the
	// pass-ordering agent to work on.
	minO0Instructions = 200
	minSuiteSize      = 22
)

func TestSuiteListsDescribedSources(t *testing.T) {
	names := Names()
	if len(names) < minSuiteSize {
		t.Fatalf("suite has %d benchmarks, want at least %d", len(names), minSuiteSize)
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() is not sorted: %v", names)
	}
	for _, name := range names {
		src, err := Source(name)
		if err != nil {
			t.Errorf("Source(%q): %v", name, err)
			continue
		}
		if !bytes.Contains(src, []byte("int main(void)")) {
			t.Errorf("%s.c has no `int main(void)`", name)
		}
		if d := Describe(name); len(d) < 20 {
			t.Errorf("Describe(%q) = %q, want a one-line description from the /* desc: */ comment", name, d)
		}
		withSuffix, err := Source(name + ".c")
		if err != nil || !bytes.Equal(withSuffix, src) {
			t.Errorf("Source(%q) differs from Source(%q) (err %v)", name+".c", name, err)
		}
		wantLibm := bytes.Contains(src, []byte("<math.h>"))
		if NeedsLibm(name) != wantLibm || (len(LinkFlags(name)) > 0) != wantLibm {
			t.Errorf("%s: NeedsLibm=%v LinkFlags=%v, but includes math.h: %v", name, NeedsLibm(name), LinkFlags(name), wantLibm)
		}
	}
}

func TestLibmIsDeclaredPerBenchmark(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"fft", []string{"-lm"}},
		{"crc32", nil},
		{"no-such-benchmark", nil},
	}
	for _, tt := range tests {
		if got := LinkFlags(tt.name); !slices.Equal(got, tt.want) {
			t.Errorf("LinkFlags(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestUnknownBenchmarkErrorListsKnownNames(t *testing.T) {
	_, err := Source("crc33")
	if err == nil {
		t.Fatal("Source(\"crc33\") succeeded, want an error")
	}
	for _, want := range []string{`"crc33"`, "crc32", "sha256", "xtea"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if Describe("crc33") != "" || NeedsLibm("crc33") {
		t.Error("Describe/NeedsLibm of an unknown benchmark should be empty/false")
	}
}

func TestParseDescription(t *testing.T) {
	tests := []struct{ src, want string }{
		{"/* desc: CRC-32 checks */\nint main(void) {}", "CRC-32 checks"},
		{"  /* desc:  spaced   */  \n", "spaced"},
		{"/* no description */\n", ""},
		{"/* desc: unterminated\n*/", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := parseDescription([]byte(tt.src)); got != tt.want {
			t.Errorf("parseDescription(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func FuzzParseDescription(f *testing.F) {
	f.Add([]byte("/* desc: CRC-32 checks */\nint main(void) {}"))
	f.Add([]byte("/* desc:*/"))
	f.Add([]byte("\n/* desc: late */"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d := parseDescription(src)
		if strings.ContainsAny(d, "\n") || d != strings.TrimSpace(d) {
			t.Errorf("description %q is not one trimmed line", d)
		}
		if d != "" && !strings.HasPrefix(strings.TrimSpace(string(src)), "/* desc:") {
			t.Errorf("description %q parsed from a source not starting with /* desc:", d)
		}
	})
}

func TestCountIRInstructions(t *testing.T) {
	ir := `; ModuleID = 'x.c'
@g = global i32 0, align 4

define dso_local i32 @f(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  switch i32 %0, label %5 [
    i32 1, label %3
    i32 2, label %4
  ]

3:                                                ; preds = %1
  br label %5

4:                                                ; preds = %1
  br label %5

5:                                                ; preds = %4, %3, %1
  ret i32 0
}

declare i32 @printf(ptr noundef, ...) #1
`
	if got := countIRInstructions(ir); got != 6 {
		t.Errorf("countIRInstructions = %d, want 6", got)
	}
}

// countIRInstructions counts the instructions in the function bodies of a
// textual LLVM module: every body line except labels, comments, the closing
// brace and the case lines of a multi-line switch.
func countIRInstructions(ir string) int {
	n := 0
	inBody, inSwitch := false, false
	sc := bufio.NewScanner(strings.NewReader(ir))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "define "):
			inBody = strings.HasSuffix(line, "{")
		case !inBody || line == "" || strings.HasPrefix(line, ";"):
		case line == "}":
			inBody = false
		case inSwitch:
			inSwitch = line != "]"
		case strings.HasSuffix(strings.Fields(line)[0], ":"):
			// a basic-block label
		default:
			n++
			inSwitch = strings.HasSuffix(line, "[")
		}
	}
	return n
}

func requireClang(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(clang); err != nil {
		t.Skipf("%s not found on PATH (install.sh installs it): %v", clang, err)
	}
}

// compile builds the named benchmark into dir/exe with the given flags.
func compile(t *testing.T, name, exe string, flags ...string) {
	t.Helper()
	src, err := Source(name)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-std=c99", "-x", "c", "-", "-o", exe}, flags...)
	args = append(args, LinkFlags(name)...)
	cmd := exec.Command(clang, args...)
	cmd.Stdin = bytes.NewReader(src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", clang, strings.Join(args, " "), err, out)
	}
}

// run executes exe and returns its standard output; it fails the test on a
// nonzero exit, a timeout or any output on standard error.
func run(t *testing.T, exe string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, exe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running %s: %v (stderr: %s)", filepath.Base(exe), err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("%s wrote to stderr: %s", filepath.Base(exe), stderr.String())
	}
	return stdout.String()
}

func emitO0IR(t *testing.T, name string) string {
	t.Helper()
	src, err := Source(name)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(clang, "-std=c99", "-w", "-O0", "-Xclang", "-disable-O0-optnone", "-S", "-emit-llvm",
		"-x", "c", "-", "-o", "-")
	cmd.Stdin = bytes.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ir, err := cmd.Output()
	if err != nil {
		t.Fatalf("emitting IR for %s: %v\n%s", name, err, stderr.String())
	}
	return string(ir)
}

// sanitizeFlags builds with UBSan and ASan; -O1 keeps the build cheap while
// still exercising optimisation-sensitive undefined behaviour.
var sanitizeFlags = []string{"-w", "-O1", "-fsanitize=undefined,address", "-fno-sanitize-recover=all"}

// sanitizersUnavailable returns why sanitizer builds cannot run here, or ""
// when they can.
func sanitizersUnavailable(t *testing.T) string {
	probe := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command(clang, append([]string{"-x", "c", "-", "-o", probe}, sanitizeFlags...)...)
	cmd.Stdin = strings.NewReader("int main(void) { return 0; }\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("cannot build with sanitizers here: %v\n%s", err, out)
	}
	if out, err := exec.Command(probe).CombinedOutput(); err != nil {
		return fmt.Sprintf("sanitizer runtime cannot start here: %v\n%s", err, out)
	}
	return ""
}

// TestBenchmarks builds every benchmark at -O0 (warning-free under -Wall
// -Wextra) and -Oz, runs both and requires identical, non-empty output with
// a checksum line, and requires enough O0 IR. Without -short it also runs a
// UBSan+ASan build, whose output must match too.
func TestBenchmarks(t *testing.T) {
	requireClang(t)
	noSanitizers := "skipped with -short"
	if !testing.Short() {
		noSanitizers = sanitizersUnavailable(t)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			o0, oz := filepath.Join(dir, "o0"), filepath.Join(dir, "oz")
			compile(t, name, o0, "-O0", "-Wall", "-Wextra", "-Werror")
			want := run(t, o0)
			if strings.TrimSpace(want) == "" {
				t.Fatal("-O0 build printed nothing")
			}
			if !strings.Contains(want, "checksum") {
				t.Errorf("output has no checksum line:\n%s", want)
			}
			compile(t, name, oz, "-Oz", "-w")
			if got := run(t, oz); got != want {
				t.Errorf("-Oz output differs from -O0\n-O0: %s\n-Oz: %s", want, got)
			}
			if n := countIRInstructions(emitO0IR(t, name)); n < minO0Instructions {
				t.Errorf("O0 IR has %d instructions, want at least %d", n, minO0Instructions)
			}
			if noSanitizers != "" {
				t.Logf("UBSan/ASan check not run: %s", noSanitizers)
				return
			}
			san := filepath.Join(dir, "san")
			compile(t, name, san, sanitizeFlags...)
			if got := run(t, san); got != want {
				t.Errorf("UBSan/ASan build output differs from -O0\n-O0: %s\nsan: %s", want, got)
			}
		})
	}
}
