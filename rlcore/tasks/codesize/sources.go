package codesize

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// Benchmark name prefixes. Any other name is a path to a .c, .ll or .bc
// file.
const (
	builtinPrefix = "builtin:"
	csmithPrefix  = "csmith:"
)

// maxCsmithSeeds bounds a csmith range, so that a typo does not start
// generating millions of programs.
const maxCsmithSeeds = 100000

// source is a benchmark before compilation.
type source struct {
	name   string
	kind   string // "c", "ll" or "bc"
	path   string // the file, for diagnostics and relative #includes; "" for generated sources
	data   []byte
	cflags []string // flags this source needs besides the task's cflags
}

// expandSpec turns a benchmark spec into benchmark names, without
// compiling anything. Specs: "builtin:*", "builtin:crc32,sha",
// "csmith:1-10" (also "csmith:3,5,7-9"), a .c/.ll/.bc file, or a folder
// (every .c/.ll/.bc file under it). Several specs may be given separated by
// white space; a path with spaces is given whole (the whole spec names an
// existing file or folder) or in double quotes.
func expandSpec(spec string) ([]string, error) {
	fields, err := specFields(spec)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, errEmptySpec
	}
	var names []string
	for _, f := range fields {
		n, err := expandOne(f)
		if err != nil {
			return nil, err
		}
		names = append(names, n...)
	}
	return names, nil
}

// checkSpec is the task's CheckBenchmark: the syntax of a benchmark spec,
// the built-in names and the csmith seeds, without reading any file (a
// path is checked where the search runs, when it is resolved).
func checkSpec(spec string) error {
	fields, err := specFields(spec)
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		return errEmptySpec
	}
	for _, f := range fields {
		if strings.HasPrefix(f, builtinPrefix) || strings.HasPrefix(f, csmithPrefix) {
			if _, err := expandOne(f); err != nil {
				return err
			}
		}
	}
	return nil
}

var errEmptySpec = errors.New("empty benchmark spec: want builtin:*, builtin:NAME,…, csmith:FROM-TO, or a path to a .c/.ll/.bc file or folder")

func expandOne(spec string) ([]string, error) {
	switch {
	case strings.HasPrefix(spec, builtinPrefix):
		all := builtinNames()
		list := strings.TrimPrefix(spec, builtinPrefix)
		if list == "*" || list == "" {
			out := make([]string, len(all))
			for i, n := range all {
				out[i] = builtinPrefix + n
			}
			return out, nil
		}
		var out []string
		for _, n := range strings.Split(list, ",") {
			n = strings.TrimSuffix(strings.TrimSpace(n), ".c")
			if !contains(all, n) {
				return nil, fmt.Errorf("unknown built-in benchmark %q; known: %s", n, strings.Join(all, ", "))
			}
			out = append(out, builtinPrefix+n)
		}
		return out, nil
	case strings.HasPrefix(spec, csmithPrefix):
		seeds, err := parseSeeds(strings.TrimPrefix(spec, csmithPrefix))
		if err != nil {
			return nil, fmt.Errorf("benchmark spec %q: %w", spec, err)
		}
		out := make([]string, len(seeds))
		for i, s := range seeds {
			out[i] = csmithPrefix + strconv.FormatUint(s, 10)
		}
		return out, nil
	}
	path, err := filepath.Abs(spec)
	if err != nil {
		return nil, fmt.Errorf("benchmark path %q: %w", spec, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("benchmark path %q does not exist (want builtin:…, csmith:…, or an existing .c/.ll/.bc file or folder)", spec)
		}
		return nil, fmt.Errorf("benchmark path %q: %w", spec, err)
	}
	if !st.IsDir() {
		if sourceKind(path) == "" {
			return nil, fmt.Errorf("benchmark file %q: unsupported extension, want .c, .ll or .bc", spec)
		}
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && sourceKind(p) != "" {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("benchmark folder %q: %w", spec, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("benchmark folder %q has no .c, .ll or .bc files", spec)
	}
	sort.Strings(out)
	return out, nil
}

// specFields splits a spec at white space outside double quotes and
// removes the quotes; a spec that is the path of an existing file or
// folder is one field, spaces and all.
func specFields(spec string) ([]string, error) {
	if p := strings.TrimSpace(spec); p != "" && !strings.Contains(p, `"`) {
		if _, err := os.Stat(p); err == nil {
			return []string{p}, nil
		}
	}
	var fields []string
	var f strings.Builder
	quoted, inField := false, false
	for _, r := range spec {
		switch {
		case r == '"':
			quoted, inField = !quoted, true
		case !quoted && (r == ' ' || r == '\t' || r == '\n'):
			if inField {
				fields = append(fields, f.String())
				f.Reset()
				inField = false
			}
		default:
			f.WriteRune(r)
			inField = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("benchmark spec %q: unterminated '\"'", spec)
	}
	if inField {
		fields = append(fields, f.String())
	}
	return fields, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sourceKind(path string) string {
	switch filepath.Ext(path) {
	case ".c":
		return "c"
	case ".ll":
		return "ll"
	case ".bc":
		return "bc"
	}
	return ""
}

// parseSeeds reads "7", "1-10" or "1,3,5-7".
func parseSeeds(s string) ([]uint64, error) {
	var seeds []uint64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad csmith seed %q: want N, FROM-TO or a comma-separated list of them", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("bad csmith seed range %q: want FROM-TO with FROM ≤ TO", part)
			}
		}
		if b-a >= maxCsmithSeeds || len(seeds)+int(b-a) >= maxCsmithSeeds {
			return nil, fmt.Errorf("csmith seed range %q is too large (at most %d seeds)", part, maxCsmithSeeds)
		}
		for x := a; x <= b; x++ {
			seeds = append(seeds, x)
		}
	}
	return seeds, nil
}

// loadSource reads or generates the source of a benchmark name.
func (p *Problem) loadSource(ctx context.Context, name string) (*source, error) {
	switch {
	case strings.HasPrefix(name, builtinPrefix):
		n := strings.TrimPrefix(name, builtinPrefix)
		data, err := builtinSource(n)
		if err != nil {
			return nil, fmt.Errorf("unknown built-in benchmark %q; known: %s", n, strings.Join(builtinNames(), ", "))
		}
		return &source{name: name, kind: "c", data: data}, nil
	case strings.HasPrefix(name, csmithPrefix):
		seed, err := strconv.ParseUint(strings.TrimPrefix(name, csmithPrefix), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad csmith benchmark %q: want csmith:SEED", name)
		}
		data, err := p.csmithSource(ctx, seed)
		if err != nil {
			return nil, err
		}
		return &source{name: name, kind: "c", data: data, cflags: []string{"-I/usr/include/csmith", "-w"}}, nil
	}
	kind := sourceKind(name)
	if kind == "" {
		return nil, fmt.Errorf("unknown benchmark %q: want builtin:NAME, csmith:SEED or a path to a .c, .ll or .bc file", name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("benchmark file %q does not exist", name)
		}
		return nil, fmt.Errorf("read benchmark: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("benchmark file %q is empty", name)
	}
	return &source{name: name, kind: kind, path: name, data: data}, nil
}

// csmithSource generates (or reads from the cache) the program of a seed.
func (p *Problem) csmithSource(ctx context.Context, seed uint64) ([]byte, error) {
	ver, err := p.toolVersion(ctx, "csmith")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(p.cacheDir, "csmith", shortHash(ver), strconv.FormatUint(seed, 10)+".c")
	if data, err := os.ReadFile(path); err == nil {
		return data, nil
	}
	var stderr bytes.Buffer
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("csmith cache: %w", err)
	}
	cmd := exec.CommandContext(ctx, "csmith", "--seed", strconv.FormatUint(seed, 10))
	cmd.Stderr = &stderr
	cmd.Dir = filepath.Dir(path) // csmith writes platform.info into its working folder
	data, err := output(cmd)
	if err != nil {
		return nil, fmt.Errorf("csmith --seed %d: %w: %s", seed, err, strings.TrimSpace(stderr.String()))
	}
	if err := writeAtomic(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

// compile turns a source into O0 bitcode, through the content-addressed
// cache: the key is the hash of the source, the flags and clang's version.
func (p *Problem) compile(ctx context.Context, src *source) ([]byte, error) {
	if src.kind != "c" {
		return src.data, nil
	}
	ver, err := p.toolVersion(ctx, clang)
	if err != nil {
		return nil, err
	}
	flags := append(append([]string{"-O0", "-Xclang", "-disable-O0-optnone", "-emit-llvm", "-c"}, src.cflags...), p.cflags...)
	h := sha256.New()
	for _, part := range append([]string{ver, src.kind}, flags...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(src.data)
	path := filepath.Join(p.cacheDir, "ir", hex.EncodeToString(h.Sum(nil))+".bc")
	if data, err := os.ReadFile(path); err == nil {
		return data, nil
	}
	var input string
	args := append([]string{}, flags...)
	if src.path != "" {
		input = src.path
	} else {
		args = append(args, "-x", "c")
		input = "-"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "*.bc.tmp")
	if err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	args = append(args, "-o", tmp, input)
	cmd := exec.CommandContext(ctx, clang, args...)
	if src.path == "" {
		cmd.Stdin = bytes.NewReader(src.data)
	}
	if out, err := combinedOutput(cmd); err != nil {
		return nil, fmt.Errorf("compile %s with %s %s: %w\n%s", src.name, clang, strings.Join(flags, " "), err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	return os.ReadFile(path)
}

const clang = "clang-19"

// toolVersion runs `tool --version` once per problem.
func (p *Problem) toolVersion(ctx context.Context, tool string) (string, error) {
	p.mu.Lock()
	v, ok := p.versions[tool]
	p.mu.Unlock()
	if ok {
		return v, nil
	}
	cmd := exec.CommandContext(ctx, tool, "--version")
	cmd.Dir = p.cacheDir // csmith writes platform.info into its working folder
	out, err := output(cmd)
	if err != nil {
		return "", fmt.Errorf("%s --version: %w (is %s installed and on PATH?)", tool, err, tool)
	}
	v = strings.TrimSpace(string(out))
	p.mu.Lock()
	p.versions[tool] = v
	p.mu.Unlock()
	return v, nil
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "*.tmp")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// output runs a helper program, bound to this process's life (see
// isolate.StartChild), and returns its stdout.
func output(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	err := isolate.RunChild(cmd)
	return out.Bytes(), err
}

// combinedOutput is output with stderr mixed in.
func combinedOutput(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := isolate.RunChild(cmd)
	return out.Bytes(), err
}
