package codesize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// TaskName is the registered name of the task.
const TaskName = "codesize"

// Options configure a Problem.
type Options struct {
	// CFlags are extra clang flags for C benchmarks, e.g. "-std=gnu89
	// -Wno-error=implicit-function-declaration -Wno-error=implicit-int"
	// for old C.
	CFlags []string
	// CacheDir holds compiled IR, csmith programs and baselines; default
	// os.UserCacheDir()/supersonic/codesize.
	CacheDir string
	// IdleWorkers is how many idle worker processes the problem keeps for
	// the next episodes; default GOMAXPROCS.
	IdleWorkers int
}

// Problem is the opened code-size task. It is safe for concurrent use.
type Problem struct {
	cflags      []string
	cacheDir    string
	idleWorkers int

	mu       sync.Mutex
	closed   bool
	versions map[string]string
	benches  map[string]*benchEntry
	idle     []*worker
	live     map[*worker]bool
}

// benchEntry prepares a benchmark once, even under concurrent requests.
type benchEntry struct {
	once sync.Once
	b    *benchmark
	err  error
}

// benchmark is a compiled benchmark with its baselines.
type benchmark struct {
	name     string
	key      string // hex SHA-256 of the initial bitcode
	bitcode  []byte
	runnable bool // defines main
	base     map[string]baseline
}

// baseline is the result of a reference compilation.
type baseline struct {
	IC       int64 `json:"ic"`
	TextSize int64 `json:"textsize"`
}

// baselinePipelines are the reference compilations, run on the O0 module.
var baselinePipelines = map[string]string{"o0": "", "oz": "default<Oz>", "o3": "default<O3>"}

// Open creates a Problem.
func Open(opts Options) (*Problem, error) {
	dir := opts.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("codesize: no cache option and no user cache dir: %w", err)
		}
		dir = filepath.Join(base, "supersonic", "codesize")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("codesize: cache dir: %w", err)
	}
	n := opts.IdleWorkers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Problem{
		cflags: opts.CFlags, cacheDir: dir, idleWorkers: n,
		versions: map[string]string{}, benches: map[string]*benchEntry{}, live: map[*worker]bool{},
	}, nil
}

// taskOptions documents the options of the registered task.
var taskOptions = map[string]string{
	"cflags": "extra clang flags for C benchmarks (old C: -std=gnu89 -Wno-error=implicit-function-declaration -Wno-error=implicit-int)",
	"cache":  "cache folder for compiled IR and baselines (default: user cache dir/supersonic/codesize)",
}

func openTask(_ context.Context, opts map[string]string) (rlcore.Problem, error) {
	var o Options
	for k, v := range opts {
		switch k {
		case "cflags":
			o.CFlags = strings.Fields(v)
		case "cache":
			o.CacheDir = v
		default:
			keys := make([]string, 0, len(taskOptions))
			for k := range taskOptions {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return nil, fmt.Errorf("codesize: unknown option %q; known: %s", k, strings.Join(keys, ", "))
		}
	}
	return Open(o)
}

// Task is the registered task name.
func (p *Problem) Task() string { return TaskName }

// Actions names the passes (CompilerGym flags, e.g. "-mem2reg").
func (p *Problem) Actions() []string {
	names := make([]string, len(Passes))
	for i, ps := range Passes {
		names[i] = ps.Name
	}
	return names
}

// Skipped is a benchmark that could not be prepared.
type Skipped struct {
	Benchmark string
	Err       error
}

// Resolve expands spec (see Benchmarks) and prepares every benchmark:
// compiles it, checks it and computes its baselines. Benchmarks that fail
// (a C file that does not compile, an empty module, …) are logged with
// slog and returned in skipped; the rest go on. The error is for a bad
// spec, a cancelled context, or when nothing could be prepared.
func (p *Problem) Resolve(ctx context.Context, spec string) (names []string, skipped []Skipped, err error) {
	all, err := expandSpec(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("codesize: %w", err)
	}
	// Prepare in parallel (compiling and baselines run in subprocesses),
	// report in spec order.
	errs := make([]error, len(all))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, n := range all {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, errs[i] = p.prepare(ctx, n)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for i, n := range all {
		if err := errs[i]; err != nil {
			slog.Warn("codesize: skipping benchmark", "benchmark", n, "err", err)
			skipped = append(skipped, Skipped{Benchmark: n, Err: err})
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		errs := make([]error, len(skipped))
		for i, s := range skipped {
			errs[i] = s.Err
		}
		return nil, skipped, fmt.Errorf("codesize: no usable benchmark in %q: %w", spec, errors.Join(errs...))
	}
	return names, skipped, nil
}

// Benchmarks resolves a spec into benchmark names: "builtin:*",
// "builtin:crc32,sha256", "csmith:1-10", a .c/.ll/.bc file, a folder, or
// several of them separated by spaces. See Resolve for failures.
func (p *Problem) Benchmarks(ctx context.Context, spec string) ([]string, error) {
	names, _, err := p.Resolve(ctx, spec)
	return names, err
}

// prepare compiles a benchmark and computes its baselines, once.
func (p *Problem) prepare(ctx context.Context, name string) (*benchmark, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("codesize: problem is closed")
	}
	e, ok := p.benches[name]
	if !ok {
		e = &benchEntry{}
		p.benches[name] = e
	}
	p.mu.Unlock()
	e.once.Do(func() { e.b, e.err = p.build(ctx, name) })
	if e.err != nil && ctx.Err() != nil {
		// A cancelled preparation is not the benchmark's fault: retry next time.
		p.mu.Lock()
		if p.benches[name] == e {
			delete(p.benches, name)
		}
		p.mu.Unlock()
	}
	return e.b, e.err
}

func (p *Problem) build(ctx context.Context, name string) (*benchmark, error) {
	src, err := p.loadSource(ctx, name)
	if err != nil {
		return nil, err
	}
	bc, err := p.compile(ctx, src)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bc)
	b := &benchmark{name: name, key: hex.EncodeToString(sum[:]), bitcode: bc}
	if err := p.baselines(ctx, b); err != nil {
		return nil, fmt.Errorf("benchmark %s: %w", name, err)
	}
	if b.base["o0"].IC == 0 {
		return nil, fmt.Errorf("benchmark %s: the module has no instructions, nothing to optimize", name)
	}
	return b, nil
}

// baselineFile is the cached result of the reference compilations.
type baselineFile struct {
	Runnable bool                `json:"runnable"`
	Base     map[string]baseline `json:"baselines"`
}

// baselines reads or computes the O0, Oz and O3 instruction counts and
// .text sizes of b.
func (p *Problem) baselines(ctx context.Context, b *benchmark) error {
	// baseline2: since the worker parses every episode's module from
	// bitcode instead of cloning it, counts can differ from older caches.
	path := filepath.Join(p.cacheDir, "baseline2", b.key+".json")
	if data, err := os.ReadFile(path); err == nil {
		var f baselineFile
		if json.Unmarshal(data, &f) == nil && len(f.Base) == len(baselinePipelines) {
			b.runnable, b.base = f.Runnable, f.Base
			return nil
		}
	}
	w, err := p.acquire()
	if err != nil {
		return err
	}
	defer p.release(w)
	f := baselineFile{Base: map[string]baseline{}}
	for _, name := range []string{"o0", "oz", "o3"} {
		resp, err := p.loadCall(ctx, w, b, &request{Op: opBaseline, Pipeline: baselinePipelines[name], WithSize: true})
		if err != nil {
			return fmt.Errorf("baseline %s: %w", name, err)
		}
		f.Runnable = resp.HasMain
		f.Base[name] = baseline{IC: resp.IC, TextSize: resp.Size}
	}
	b.runnable, b.base = f.Runnable, f.Base
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

// loadCall sends a request that names b's initial module, adding the
// bitcode when the worker does not hold it yet.
func (p *Problem) loadCall(ctx context.Context, w *worker, b *benchmark, req *request) (*response, error) {
	req.Key = b.key
	resp, err := w.call(ctx, req)
	if err == nil && resp.NeedBitcode {
		req.Bitcode = b.bitcode
		resp, err = w.call(ctx, req)
		req.Bitcode = nil
	}
	return resp, err
}

// maxWorkerLoads recycles a worker after that many modules, bounding the
// memory its LLVM context accumulates.
const maxWorkerLoads = 2000

// acquire takes an idle worker or starts one, and holds a reference.
func (p *Problem) acquire() (*worker, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("codesize: problem is closed")
	}
	for len(p.idle) > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if w.alive() {
			w.refs = 1
			w.loads++
			p.live[w] = true
			p.mu.Unlock()
			return w, nil
		}
	}
	p.mu.Unlock()
	w, err := startWorker()
	if err != nil {
		return nil, fmt.Errorf("codesize: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		w.close()
		return nil, errors.New("codesize: problem is closed")
	}
	w.refs = 1
	w.loads++
	p.live[w] = true
	return w, nil
}

// retain adds a reference to a worker (a fork shares its parent's worker).
func (p *Problem) retain(w *worker) {
	p.mu.Lock()
	w.refs++
	p.mu.Unlock()
}

// release drops a reference; an unused healthy worker goes back to the
// pool, a dead or surplus one is ended.
func (p *Problem) release(w *worker) {
	p.mu.Lock()
	w.refs--
	if w.refs > 0 {
		p.mu.Unlock()
		return
	}
	delete(p.live, w)
	keep := !p.closed && len(p.idle) < p.idleWorkers && w.alive() && w.loads < maxWorkerLoads
	if keep {
		p.idle = append(p.idle, w)
	}
	p.mu.Unlock()
	if !keep {
		w.close()
	}
}

// Close ends the idle workers; workers of open episodes end when their
// episodes close.
func (p *Problem) Close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.close()
	}
	return nil
}

// Runnable reports whether a benchmark defines main (and can be validated
// by running it).
func (p *Problem) Runnable(ctx context.Context, benchmark string) (bool, error) {
	b, err := p.prepare(ctx, benchmark)
	if err != nil {
		return false, err
	}
	return b.runnable, nil
}

// BaselineOf returns a benchmark's reference metric ("ic" or "textsize")
// under "o0", "oz" or "o3", without opening an episode.
func (p *Problem) BaselineOf(ctx context.Context, benchmark, metric, ref string) (float64, error) {
	b, err := p.prepare(ctx, benchmark)
	if err != nil {
		return 0, err
	}
	return b.baseline(metric, ref)
}

func (b *benchmark) baseline(metric, ref string) (float64, error) {
	base, ok := b.base[ref]
	if !ok {
		return 0, fmt.Errorf("unknown baseline %q: want o0, oz or o3", ref)
	}
	switch metric {
	case "ic":
		return float64(base.IC), nil
	case "textsize":
		return float64(base.TextSize), nil
	case "quality":
		return b.quality(base.IC), nil
	}
	return 0, fmt.Errorf("unknown metric %q for baselines: want ic, textsize or quality", metric)
}

// quality is CompilerGym's leaderboard score of an instruction count:
// (IC_O0 − IC) / (IC_O0 − IC_Oz), with the denominator clamped to at
// least 1 as CompilerGym's IrInstructionCountOz reward does (so a module
// that -Oz cannot shrink scores the raw instruction reduction).
func (b *benchmark) quality(ic int64) float64 {
	o0, oz := b.base["o0"].IC, b.base["oz"].IC
	return float64(o0-ic) / float64(max(o0-oz, 1))
}
