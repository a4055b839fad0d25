// Package storetest opens run stores for tests: a fresh SQLite file in the
// test's temporary folder, closed when the test ends.
package storetest

import (
	"path/filepath"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// Open opens a new, empty run store in tb's temporary folder; it is closed
// when tb ends.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "supersonic.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
