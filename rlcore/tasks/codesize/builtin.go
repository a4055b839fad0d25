package codesize

import "github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/benchmarks"

// builtinNames lists the built-in C benchmarks.
func builtinNames() []string { return benchmarks.Names() }

// builtinSource returns a built-in benchmark's C source.
func builtinSource(name string) ([]byte, error) { return benchmarks.Source(name) }
