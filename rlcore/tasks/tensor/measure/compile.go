// Package measure compiles the C of tensor-operator schedules with
// clang-19 into shared objects (one compile per distinct program, cached
// on disk by content hash, with a time-out), loads them, and times them
// against a yardstick kernel: warm-up runs, then repeated runs of the
// candidate and the yardstick interleaved (ABBA order, the yardstick
// repeated to run about as long as the candidate) so that the ratio of
// their fastest runs holds when the machine is loaded; median and spread
// of the candidate's runs.
// Every candidate's output is checked against the yardstick's.
//
// Loading and running native code happens in a Runner, which the tensor
// task keeps in a crash-isolating worker process: a kernel that faults or
// hangs costs one measurement.
package measure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Clang is the compiler used.
const Clang = "clang-19"

// Flags are the compile flags of every schedule: the generated C decides
// everything else through pragmas.
var Flags = []string{"-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-std=gnu11", "-w"}

// DefaultCompileTimeout bounds one clang run.
const DefaultCompileTimeout = 60 * time.Second

// Compiler compiles C sources into shared objects under Dir, once per
// distinct source. It is safe for concurrent use; concurrent requests for
// the same source share one clang run.
type Compiler struct {
	Dir     string
	Timeout time.Duration

	mu       sync.Mutex
	inflight map[string]*compileCall
	compiles int
	cacheHit int
}

type compileCall struct {
	done chan struct{}
	art  Artifact
	err  error
}

// Artifact is a compiled schedule.
type Artifact struct {
	Path string // the shared object
	Hash string // of flags and source
	// Cached: the object was already on disk or being built by another
	// request; CompileTime is zero then.
	Cached      bool
	CompileTime time.Duration
}

// NewCompiler uses dir, or the user's cache directory
// (…/supersonic/tensor) when dir is empty.
func NewCompiler(dir string) (*Compiler, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "supersonic", "tensor")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensor compile cache: %w", err)
	}
	if err := rlcore.NeedTool(Clang, "it compiles the schedules, with OpenMP", "clang-19", "libomp-19-dev"); err != nil {
		return nil, fmt.Errorf("tensor: %w", err)
	}
	return &Compiler{Dir: dir, Timeout: DefaultCompileTimeout, inflight: map[string]*compileCall{}}, nil
}

// Stats returns how many compiles ran and how many requests the cache
// answered.
func (c *Compiler) Stats() (compiles, cacheHits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.compiles, c.cacheHit
}

// Hash is the cache key of src.
func Hash(src string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", Clang, strings.Join(Flags, " "))
	h.Write([]byte(src))
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Compile returns the shared object of src, compiling it if needed.
func (c *Compiler) Compile(ctx context.Context, src string) (Artifact, error) {
	hash := Hash(src)
	path := filepath.Join(c.Dir, hash+".so")
	c.mu.Lock()
	if call, ok := c.inflight[hash]; ok {
		c.cacheHit++
		c.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return Artifact{}, ctx.Err()
		}
		art := call.art
		art.Cached, art.CompileTime = true, 0
		return art, call.err
	}
	if _, err := os.Stat(path); err == nil {
		c.cacheHit++
		c.mu.Unlock()
		return Artifact{Path: path, Hash: hash, Cached: true}, nil
	}
	call := &compileCall{done: make(chan struct{})}
	c.inflight[hash] = call
	c.compiles++
	c.mu.Unlock()

	call.art, call.err = c.compile(ctx, src, hash, path)
	close(call.done)
	c.mu.Lock()
	delete(c.inflight, hash)
	c.mu.Unlock()
	return call.art, call.err
}

func (c *Compiler) compile(ctx context.Context, src, hash, path string) (Artifact, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCompileTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tmp, err := os.MkdirTemp(c.Dir, "build-")
	if err != nil {
		return Artifact{}, fmt.Errorf("tensor compile: %w", err)
	}
	defer os.RemoveAll(tmp)
	cfile := filepath.Join(tmp, "kernel.c")
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		return Artifact{}, fmt.Errorf("tensor compile: %w", err)
	}
	obj := filepath.Join(tmp, "kernel.so")
	args := append(append([]string(nil), Flags...), "-o", obj, cfile, "-lm")
	cmd := exec.CommandContext(cctx, Clang, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		if errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return Artifact{}, fmt.Errorf("tensor compile: %s timed out after %v", Clang, timeout)
		}
		if ctx.Err() != nil {
			return Artifact{}, ctx.Err()
		}
		return Artifact{}, fmt.Errorf("tensor compile: %s %s: %w\n%s", Clang, strings.Join(Flags, " "), err, out)
	}
	if err := os.Rename(obj, path); err != nil {
		return Artifact{}, fmt.Errorf("tensor compile: %w", err)
	}
	return Artifact{Path: path, Hash: hash, CompileTime: took}, nil
}
