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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/scratch"
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
	// CallTimeout bounds each LLVM call of an episode (one pass, a
	// feature extraction, an object emission); default DefaultCallTimeout.
	// A search's wall-clock budget bounds the calls further (see
	// isolate.WithCallDeadline). A call past its limit kills its worker
	// and fails the episode.
	CallTimeout time.Duration
	// PrepareTimeout bounds the preparation of one benchmark (csmith,
	// clang, the -O0/-Oz/-O3 reference compilations); default
	// DefaultPrepareTimeout.
	PrepareTimeout time.Duration
	// MemoryLimit is each worker's address-space limit in bytes; default
	// isolate.DefaultMemoryLimit() (a quarter of physical memory, at least
	// 4 GiB), negative for none.
	MemoryLimit int64
	// VerifyEachStep runs LLVM's verifier after every pass, ending the
	// episode with a clear error when a pass produced invalid IR.
	VerifyEachStep bool
}

// Default limits of native work.
const (
	DefaultCallTimeout    = time.Minute
	DefaultPrepareTimeout = 10 * time.Minute
)

// Problem is the opened code-size task. It is safe for concurrent use.
type Problem struct {
	cflags         []string
	cacheDir       string
	prepareTimeout time.Duration
	verifyEach     bool
	pool           *isolate.Pool

	mu       sync.Mutex
	closed   bool
	versions map[string]string
	benches  map[string]*benchEntry
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

	o0mu sync.Mutex
	o0   *runResult // the O0 build's run, once it ran (o0Run)
}

// baseline is the result of a reference compilation.
type baseline struct {
	IC       int64 `json:"ic"`
	TextSize int64 `json:"textsize"`
}

// baselinePipelines are the reference compilations, run on the O0 module.
var baselinePipelines = map[string]string{"o0": "", "oz": "default<Oz>", "o3": "default<O3>"}

// Prefixes of the temporary folders of validation builds, runtime
// measurements and replays of exports (see package scratch).
const (
	validatePrefix = "supersonic-validate-"
	runtimePrefix  = "supersonic-runtime-"
	replayPrefix   = "supersonic-replay-"
)

// Open creates a Problem. It checks that clang-19 is installed, and
// removes the temporary folders of killed processes.
func Open(opts Options) (*Problem, error) {
	if err := rlcore.NeedTool(clang, "it compiles C benchmarks, links validation builds and measures runtimes", "clang-19"); err != nil {
		return nil, fmt.Errorf("codesize: %w", err)
	}
	for _, prefix := range []string{validatePrefix, runtimePrefix, replayPrefix} {
		removed, err := scratch.Sweep(prefix)
		if len(removed) > 0 {
			slog.Info("codesize: removed temporary folders of processes that are gone", "folders", len(removed), "prefix", prefix)
		}
		if err != nil {
			slog.Warn("codesize: sweeping temporary folders", "err", err)
		}
	}
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
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.PrepareTimeout <= 0 {
		opts.PrepareTimeout = DefaultPrepareTimeout
	}
	pool, err := isolate.NewPool(isolate.Config{
		Service: workerService, Idle: opts.IdleWorkers, CallTimeout: opts.CallTimeout,
		MemoryLimit: opts.MemoryLimit, MaxUses: maxWorkerLoads,
	})
	if err != nil {
		return nil, fmt.Errorf("codesize: %w", err)
	}
	return &Problem{
		cflags: opts.CFlags, cacheDir: dir, prepareTimeout: opts.PrepareTimeout, verifyEach: opts.VerifyEachStep, pool: pool,
		versions: map[string]string{}, benches: map[string]*benchEntry{},
	}, nil
}

// taskOptions are the options of the registered task.
var taskOptions = []rlcore.Option{
	{Name: "cflags", Type: rlcore.OptString, Doc: "extra clang flags for C benchmarks, as on a command line (old C: -std=gnu89 -Wno-error=implicit-function-declaration -Wno-error=implicit-int)"},
	{Name: "cache", Type: rlcore.OptString, Doc: "cache folder for compiled IR and reference compilations (default: user cache dir/supersonic/codesize)"},
	{Name: "call-timeout", Type: rlcore.OptDuration, Doc: "time limit of one LLVM call of an episode, e.g. 30s (default 1m0s); a search's budget bounds calls further"},
	{Name: "prepare-timeout", Type: rlcore.OptDuration, Doc: "time limit of preparing one benchmark: csmith, clang and the -O0/-Oz/-O3 references (default 10m0s)"},
	{Name: "memory", Type: rlcore.OptString, Doc: "address-space limit of each LLVM worker process, e.g. 6GiB, 2048MiB or none (default: a quarter of physical memory, at least 4 GiB)"},
}

// taskReferences are the reference compilations, run on the O0 module.
var taskReferences = []rlcore.Reference{
	{Name: "o0", Doc: "clang -O0 -Xclang -disable-O0-optnone: the unoptimized module episodes start from"},
	{Name: "oz", Doc: "LLVM 19's -Oz pipeline (default<Oz>): the compiler's default for code size"},
	{Name: "o3", Doc: "LLVM 19's -O3 pipeline (default<O3>)"},
}

func openTask(_ context.Context, cfg rlcore.OpenConfig) (rlcore.Problem, error) {
	v := cfg.Options
	o := Options{CFlags: strings.Fields(v.String("cflags")), CacheDir: v.String("cache")}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"call-timeout", &o.CallTimeout}, {"prepare-timeout", &o.PrepareTimeout}} {
		if v.String(d.name) == "" {
			continue
		}
		if *d.dst = v.Duration(d.name); *d.dst <= 0 {
			return nil, fmt.Errorf("codesize: option %s: %q is not a positive duration such as 30s or 5m", d.name, v.String(d.name))
		}
	}
	if m := v.String("memory"); m != "" {
		n, err := parseMemory(m)
		if err != nil {
			return nil, fmt.Errorf("codesize: option memory: %w", err)
		}
		o.MemoryLimit = n
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
		return nil, skipped, fmt.Errorf("codesize: %w in %q: %w", rlcore.ErrNoUsableBenchmark, spec, errors.Join(errs...))
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

// DefaultCorpus is the training corpus of a policy trained across
// programs (rlcore.Corpus): every built-in program and 40 csmith programs,
// generated on first use and cached.
var DefaultCorpus = []string{"builtin:*", "csmith:10001-10040"}

// Corpus implements rlcore.Corpus.
func (p *Problem) Corpus() []string { return append([]string(nil), DefaultCorpus...) }

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

// build prepares a benchmark within the prepare timeout, logging progress
// when it is slow.
func (p *Problem) build(ctx context.Context, name string) (*benchmark, error) {
	pctx, cancel := context.WithTimeout(ctx, p.prepareTimeout)
	defer cancel()
	// The reference compilations of a large module may take minutes: the
	// preparation's timeout bounds them, not the per-call one of episodes.
	pctx = isolate.WithCallTimeout(pctx, p.prepareTimeout)
	prog := startProgress(name)
	b, err := p.buildStages(pctx, name, prog)
	prog.done(err)
	if err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("benchmark %s: preparation stopped after %v while %s (the prepare timeout: raise it with the task option prepare-timeout)", name, p.prepareTimeout, prog.stage())
	}
	return b, err
}

func (p *Problem) buildStages(ctx context.Context, name string, prog *progress) (*benchmark, error) {
	prog.set("reading the source")
	if strings.HasPrefix(name, csmithPrefix) {
		prog.set("generating the program with csmith")
	}
	src, err := p.loadSource(ctx, name)
	if err != nil {
		return nil, err
	}
	prog.set("compiling with " + clang)
	bc, err := p.compile(ctx, src)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bc)
	b := &benchmark{name: name, key: hex.EncodeToString(sum[:]), bitcode: bc}
	prog.set("running the reference compilations (-O0, -Oz, -O3)")
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
	w, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer w.Release()
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
func (p *Problem) loadCall(ctx context.Context, w *isolate.Worker, b *benchmark, req *request) (*response, error) {
	req.Key = b.key
	resp, err := callLLVM(ctx, w, req)
	if err == nil && resp.NeedBitcode {
		req.Bitcode = b.bitcode
		resp, err = callLLVM(ctx, w, req)
		req.Bitcode = nil
	}
	return resp, err
}

// maxWorkerLoads recycles a worker after that many episodes, bounding the
// memory its LLVM context accumulates.
const maxWorkerLoads = 2000

// acquire takes a worker for an episode (or a preparation).
func (p *Problem) acquire(ctx context.Context) (*isolate.Worker, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, errors.New("codesize: problem is closed")
	}
	w, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("codesize: %w", err)
	}
	return w, nil
}

// Close ends the idle workers; workers of open episodes end when their
// episodes close.
func (p *Problem) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return p.pool.Close()
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

// ReferenceOf returns a benchmark's metric ("ic" or "textsize") under
// reference compilation "o0", "oz" or "o3", without opening an episode.
func (p *Problem) ReferenceOf(ctx context.Context, benchmark, ref, metric string) (float64, error) {
	b, err := p.prepare(ctx, benchmark)
	if err != nil {
		return 0, err
	}
	return b.baseline(metric, ref)
}

func (b *benchmark) baseline(metric, ref string) (float64, error) {
	base, ok := b.base[ref]
	if !ok {
		return 0, fmt.Errorf("unknown reference compilation %q: want o0, oz or o3", ref)
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

// parseMemory reads a memory size: "6GiB", "512MiB", "6G", a number of
// bytes, or "none" (no limit: -1).
func parseMemory(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "none" {
		return -1, nil
	}
	num := strings.TrimRightFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	unit := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30, "GiB": 1 << 30}[v[len(num):]]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || unit == 0 || f <= 0 {
		return 0, fmt.Errorf("%q is not a memory size: want e.g. 6GiB, 512MiB or none", v)
	}
	return int64(f * unit), nil
}
