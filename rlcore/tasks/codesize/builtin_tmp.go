package codesize

import (
	"embed"
	"sort"
	"strings"
)

// Interim access to the built-in suite in ./benchmarks (read as files
// until its Go package lands).
//
//go:embed benchmarks/*.c
var builtinFS embed.FS

func builtinNames() []string {
	entries, _ := builtinFS.ReadDir("benchmarks")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".c"))
	}
	sort.Strings(names)
	return names
}

func builtinSource(name string) ([]byte, error) {
	return builtinFS.ReadFile("benchmarks/" + name + ".c")
}
