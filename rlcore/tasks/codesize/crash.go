package codesize

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// crashError ends an episode whose worker died: the error names the
// benchmark and the passes applied and carries a reproducer, and a crash
// report is logged (slog WARN) so that a crash inside a pull that
// succeeded is still seen.
func (e *Episode) crashError(err error, op op) error {
	repro, rerr := e.p.reproducer(e.b, e.names, op)
	if rerr != nil {
		slog.Warn("codesize: no reproducer for a crash", "benchmark", e.b.name, "err", rerr)
	}
	var ce *isolate.CrashError
	if repro != "" && errors.As(err, &ce) {
		err = ce.WithReproducer(repro)
	}
	err = fmt.Errorf("codesize: benchmark %s crashed LLVM after passes %q: %w", e.b.name, e.names, err)
	slog.Warn("codesize: an episode crashed LLVM", "benchmark", e.b.name, "passes", strings.Join(e.names, " "),
		"reproducer", repro, "err", err)
	return err
}

// reproducer writes the benchmark's O0 module to the crash folder
// (CacheDir/crashes/HASH.bc, kept) and returns the opt-19 command that
// repeats the episode's passes on it (OptCommand: one valid pipeline with
// the adaptors written out), followed by llc-19 when the crash happened in
// code generation.
func (p *Problem) reproducer(b *benchmark, passes []string, op op) (string, error) {
	path := filepath.Join(p.cacheDir, "crashes", b.key+".bc")
	if _, err := os.Stat(path); err != nil {
		if err := writeAtomic(path, b.bitcode); err != nil {
			return "", fmt.Errorf("write the crashing module: %w", err)
		}
	}
	switch op {
	case opTextSize, opObject:
		cmd, err := OptCommand(passes, path, "-")
		if err != nil {
			return "", err
		}
		return cmd + " | llc-19 " + RelocationFlag + " -filetype=obj -o /dev/null", nil
	}
	return OptCommand(passes, path, "/dev/null")
}
