package codesize

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// testCache is a fresh cache folder for the test run, so that tests
// exercise compilation and baselines for real.
var testCache string

// shared is the problem most tests use; its benchmarks stay prepared
// between tests.
var shared *Problem

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codesize-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	testCache = dir
	shared, err = Open(Options{CacheDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	shared.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newEpisode(t testing.TB, p *Problem, bench string) *Episode {
	t.Helper()
	ep, err := p.newEpisode(context.Background(), bench)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

// prepared is bench of the shared problem, compiled to its O0 module.
func prepared(t testing.TB, bench string) *benchmark {
	t.Helper()
	b, err := shared.prepare(context.Background(), bench)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPass(t testing.TB, name string) int {
	t.Helper()
	a, err := LookupPass(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
