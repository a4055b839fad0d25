// Package benchmarks is the built-in benchmark suite of the code-size task:
// small, real C programs written by the Supersonic project in the spirit of
// cBench/MiBench (checksums, hashes, ciphers, sorting, graph search, signal
// and image processing, compression, parsing, interpreters, numerics).
//
// Every benchmark is one self-contained C99 file that uses only the C
// standard library, generates its own input from a fixed seed (no files,
// arguments or clocks), runs in well under a second at -O0 and prints a
// checksum line, so a build optimised with any pass sequence can be checked
// against the -O0 build by comparing standard output. The first line of
// each file is a `/* desc: … */` comment describing it. Programs that
// include <math.h> must be linked with -lm; [LinkFlags] says so.
//
// The sources live in the csrc directory (the go tool would otherwise try to
// build .c files next to Go files as cgo sources) and are embedded; [FS]
// presents them as NAME.c at its root. Compile them with
// `clang-19 -O0 -Xclang -disable-O0-optnone -emit-llvm -c` to obtain the
// module the pass-ordering agent starts from.
package benchmarks

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

//go:embed csrc/*.c
var embedded embed.FS

// FS holds the C sources of the suite, one NAME.c file per benchmark at its
// root.
var FS fs.FS = mustSub(embedded, "csrc")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("benchmarks: opening embedded %s: %v", dir, err))
	}
	return sub
}

type info struct {
	description string
	needsLibm   bool
}

// suite maps a benchmark name (file name without .c) to what its source
// declares about itself; it is built once from FS.
var suite = loadSuite()

func loadSuite() map[string]info {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		panic(fmt.Sprintf("benchmarks: reading embedded sources: %v", err))
	}
	m := make(map[string]info, len(entries))
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".c")
		if !ok || e.IsDir() {
			continue
		}
		src, err := fs.ReadFile(FS, e.Name())
		if err != nil {
			panic(fmt.Sprintf("benchmarks: reading embedded %s: %v", e.Name(), err))
		}
		m[name] = info{
			description: parseDescription(src),
			needsLibm:   bytes.Contains(src, []byte("#include <math.h>")),
		}
	}
	return m
}

// parseDescription returns the text of a leading `/* desc: … */` comment,
// or "" when the first line is not one.
func parseDescription(src []byte) string {
	line, _, _ := bytes.Cut(src, []byte("\n"))
	s := strings.TrimSpace(string(line))
	s, ok := strings.CutPrefix(s, "/* desc:")
	if !ok {
		return ""
	}
	s, ok = strings.CutSuffix(s, "*/")
	if !ok {
		return ""
	}
	return strings.TrimSpace(s)
}

// Names returns the names of all benchmarks (file names without .c), sorted.
func Names() []string {
	names := slices.Sorted(maps.Keys(suite))
	return names
}

// normalize accepts a name with or without its .c suffix.
func normalize(name string) string {
	return strings.TrimSuffix(name, ".c")
}

// Source returns the C source of the named benchmark ("crc32" or "crc32.c").
// An unknown name is an error that lists the known ones.
func Source(name string) ([]byte, error) {
	n := normalize(name)
	if _, ok := suite[n]; !ok {
		return nil, fmt.Errorf("benchmarks: unknown benchmark %q; known benchmarks are: %s",
			name, strings.Join(Names(), ", "))
	}
	src, err := fs.ReadFile(FS, n+".c")
	if err != nil {
		return nil, fmt.Errorf("benchmarks: reading source of %q: %w", n, err)
	}
	return src, nil
}

// Describe returns the one-line description of the named benchmark, or ""
// if there is no such benchmark.
func Describe(name string) string {
	return suite[normalize(name)].description
}

// NeedsLibm reports whether the named benchmark uses <math.h> and so must be
// linked with -lm.
func NeedsLibm(name string) bool {
	return suite[normalize(name)].needsLibm
}

// LinkFlags returns the extra linker flags the named benchmark needs when it
// is built into an executable (for example ["-lm"]); nil when none.
func LinkFlags(name string) []string {
	if NeedsLibm(name) {
		return []string{"-lm"}
	}
	return nil
}
