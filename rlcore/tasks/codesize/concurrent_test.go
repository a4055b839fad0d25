package codesize

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentEpisodes runs episodes of several benchmarks in parallel on
// one Problem, with forks used from other goroutines, and checks each
// result by replay.
func TestConcurrentEpisodes(t *testing.T) {
	ctx := context.Background()
	benches := []string{"builtin:crc32", "builtin:sha256", "csmith:3", "testdata/suite/fib.c"}
	names, err := shared.Benchmarks(ctx, "builtin:crc32,sha256 csmith:3 testdata/suite/fib.c")
	if err != nil || len(names) != len(benches) {
		t.Fatalf("Benchmarks: %v, %v", names, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(names))
	for i, bench := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq := seqs[i%len(seqs)]
			ep, err := shared.newEpisode(ctx, bench)
			if err != nil {
				errs <- err
				return
			}
			defer ep.Close()
			var forkWG sync.WaitGroup
			for k, pass := range seq {
				if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
					errs <- err
					return
				}
				if k == len(seq)/2 {
					f, err := ep.Fork(ctx)
					if err != nil {
						errs <- err
						return
					}
					want := f.(*Episode).ic
					forkWG.Add(1)
					go func() { // the fork runs alongside its parent
						defer forkWG.Done()
						defer f.Close()
						if err := f.Apply(ctx, mustPass(t, "-gvn")); err != nil {
							errs <- err
							return
						}
						got, err := shared.Replay(ctx, bench, append(append([]string(nil), seq[:k+1]...), "-gvn"))
						if err != nil || got != f.(*Episode).ic {
							errs <- fmt.Errorf("%s fork: replay %d, %v; episode %d (fork started at %d)", bench, got, err, f.(*Episode).ic, want)
						}
					}()
				}
			}
			forkWG.Wait()
			got, err := shared.Replay(ctx, bench, seq)
			if err != nil || got != ep.ic {
				errs <- fmt.Errorf("%s: replay %d, %v; episode %d", bench, got, err, ep.ic)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
