// Package scratch makes temporary folders that a killed process does not
// leave behind for good. A folder's name carries its process's pid and
// start time ("supersonic-validate-1234-56789-XXXX"); a process cleans up
// its own folders when it can, and Sweep removes those of processes that
// are gone — after kill -9, which no deferred clean-up survives.
package scratch

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/supersonic-rl/supersonic/rlcore/internal/proc"
)

var self = sync.OnceValue(func() string {
	pid := os.Getpid()
	return strconv.Itoa(pid) + "-" + proc.Start(pid)
})

// Dir creates a new temporary folder whose name starts with prefix (for
// example "supersonic-validate-") followed by this process's identity.
// The caller removes it when done.
func Dir(prefix string) (string, error) {
	return os.MkdirTemp("", prefix+self()+"-")
}

// Sweep removes the folders made by Dir with prefix whose process is gone
// (it no longer exists, or its pid now belongs to a later process), and
// returns the folders it removed. Folders of live processes stay.
func Sweep(prefix string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []string
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), prefix)
		parts := strings.SplitN(rest, "-", 3)
		if len(parts) < 3 {
			continue // not made by Dir
		}
		pid, err := strconv.Atoi(parts[0])
		if err != nil || pid <= 0 {
			continue
		}
		gone := !proc.Exists(pid)
		if !gone && parts[1] != "" {
			if st := proc.Start(pid); st != "" && st != parts[1] {
				gone = true
			}
		}
		if !gone || !proc.CanCheck {
			continue
		}
		if err := os.RemoveAll(m); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		removed = append(removed, m)
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("removing stale temporary folders: %s", strings.Join(errs, "; "))
	}
	return removed, nil
}
