package measure

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*ss_kernel_fn)(const float *, const float *, float *);
typedef void (*ss_pack_fn)(const float *, float *);

static void *ss_dlopen(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static const char *ss_dlerror(void) { const char *e = dlerror(); return e ? e : "unknown dlopen error"; }
static void *ss_dlsym(void *h, const char *name) { return dlsym(h, name); }
static long ss_packed_len(void *p) { return *(const long *)p; }
static void ss_pack(void *fn, const float *in, float *out) { ((ss_pack_fn)fn)(in, out); }

static double ss_time(void *fn, const float *a, const float *b, float *o) {
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	((ss_kernel_fn)fn)(a, b, o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}

static float *ss_alloc(long n) {
	void *p = NULL;
	if (posix_memalign(&p, 64, (size_t)(n > 0 ? n : 1) * sizeof(float)) != 0) return NULL;
	memset(p, 0, (size_t)(n > 0 ? n : 1) * sizeof(float));
	return (float *)p;
}
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
	"unsafe"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// Tolerance is the largest accepted difference between a candidate's
// output and the yardstick's, relative to max(1, max |yardstick|). Inputs
// are uniform in [-1, 1]; reassociating float32 sums of up to 4608 terms
// moves outputs by about 1e-6 of that scale, an indexing mistake by O(1).
const Tolerance = 1e-3

// Request asks a Runner to time Candidate against Yardstick on Op.
type Request struct {
	Op                   string
	Candidate, Yardstick string // shared objects (see Compiler)
	// Warmup runs of each before timing; Reps at least, more until the
	// candidate ran MinTime in total, at most MaxReps.
	// MaxTime stops repeating once the candidate ran that long (after one
	// pair), and a candidate whose check run took over a tenth of it gets
	// no warm-up and one pair: a slow schedule costs seconds, not minutes.
	Warmup, Reps, MaxReps int
	MinTime, MaxTime      time.Duration
	// Seed of the inputs (uniform in [-1, 1]).
	Seed uint64
}

// Response holds the times in seconds: the candidate's runs, and for each
// of them the yardstick's runs next to it (one or more: the yardstick runs
// about as long in total as the candidate, so both see the same load).
type Response struct {
	Candidate []float64
	Yardstick [][]float64
	// MaxErr is max |cand − yard| / max(1, max |yard|) on the first run.
	MaxErr float64
}

// Result summarises a Response.
type Result struct {
	// Median and Spread ((p90−p10)/median) of the candidate's runs; Min
	// its fastest run.
	Median, Spread, Min float64
	// YardstickMin is the yardstick's fastest run.
	YardstickMin float64
	// Ratio is min(candidate)/min(yardstick) over the interleaved runs:
	// the least disturbed run of each, taken during the same seconds. On a
	// loaded machine a median is dominated by preemption (a kernel of a few
	// milliseconds loses whole time slices); the minima of interleaved
	// runs are what holds.
	Ratio float64
	// PairRatio is the median of the per-pair ratios, for comparison.
	PairRatio float64
	Runs      int
	MaxErr    float64
}

// Summary computes the figures of a Response.
func (r *Response) Summary() Result {
	res := Result{Median: quantile(r.Candidate, 0.5), Min: quantile(r.Candidate, 0), Runs: len(r.Candidate), MaxErr: r.MaxErr}
	if res.Median > 0 {
		res.Spread = (quantile(r.Candidate, 0.9) - quantile(r.Candidate, 0.1)) / res.Median
	}
	var all, ratios []float64
	for i, ys := range r.Yardstick {
		all = append(all, ys...)
		if len(ys) > 0 {
			ratios = append(ratios, r.Candidate[i]/quantile(ys, 0))
		}
	}
	res.YardstickMin = quantile(all, 0)
	res.Ratio = res.Min / res.YardstickMin
	res.PairRatio = quantile(ratios, 0.5)
	return res
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// lib is a loaded schedule.
type lib struct {
	handle    unsafe.Pointer
	kernel    unsafe.Pointer
	pack      unsafe.Pointer
	packedLen int
}

func openLib(path string) (*lib, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	h := C.ss_dlopen(cpath)
	if h == nil {
		return nil, fmt.Errorf("dlopen %s: %s", path, C.GoString(C.ss_dlerror()))
	}
	sym := func(name string) unsafe.Pointer {
		cn := C.CString(name)
		defer C.free(unsafe.Pointer(cn))
		return C.ss_dlsym(h, cn)
	}
	l := &lib{handle: h, kernel: sym("tensor_kernel"), pack: sym("tensor_pack")}
	plen := sym("tensor_packed_len")
	if l.kernel == nil || l.pack == nil || plen == nil {
		C.dlclose(h)
		return nil, fmt.Errorf("%s lacks tensor_kernel, tensor_pack or tensor_packed_len", path)
	}
	l.packedLen = int(C.ss_packed_len(plen))
	return l, nil
}

// time runs the kernel once and returns its seconds.
func (l *lib) time(in0, in1, out buffer) float64 {
	return float64(C.ss_time(l.kernel, in0.p, in1.p, out.p))
}

// buffer is float32 memory owned by C.
type buffer struct {
	p *C.float
	n int
}

func newBuffer(n int) (buffer, error) {
	p := C.ss_alloc(C.long(n))
	if p == nil {
		return buffer{}, fmt.Errorf("cannot allocate %d floats", n)
	}
	return buffer{p: p, n: n}, nil
}

func (b buffer) floats() []float32 { return unsafe.Slice((*float32)(unsafe.Pointer(b.p)), b.n) }
func (b buffer) free()             { C.free(unsafe.Pointer(b.p)) }

// opData is what a Runner keeps per operator and seed.
type opData struct {
	in0, in1  buffer
	out, yard buffer
	// packed weights of the candidate and of the yardstick
	pkdCand, pkdYard buffer
}

// Runner loads schedules and times them. It keeps loaded objects and
// input buffers between requests. Not safe for concurrent use.
type Runner struct {
	libs  map[string]*lib
	order []string // load order, for eviction
	data  map[string]*opData
}

// maxLoaded bounds the shared objects a Runner keeps open.
const maxLoaded = 128

// NewRunner returns an empty Runner.
func NewRunner() *Runner { return &Runner{libs: map[string]*lib{}, data: map[string]*opData{}} }

func (r *Runner) lib(path string) (*lib, error) {
	if l, ok := r.libs[path]; ok {
		return l, nil
	}
	l, err := openLib(path)
	if err != nil {
		return nil, err
	}
	if len(r.order) >= maxLoaded {
		old := r.order[0]
		r.order = r.order[1:]
		// Objects are not dlclosed: an OpenMP runtime thread may still
		// reference code of a library; the count stays bounded by the
		// worker's lifetime instead.
		delete(r.libs, old)
	}
	r.libs[path] = l
	r.order = append(r.order, path)
	return l, nil
}

func (r *Runner) opData(op *kernel.Op, seed uint64) (*opData, error) {
	key := fmt.Sprintf("%s/%d", op.Name, seed)
	if d, ok := r.data[key]; ok {
		return d, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x74656e736f72))
	d := &opData{}
	var err error
	alloc := func(n int, fill bool) buffer {
		if err != nil {
			return buffer{}
		}
		var b buffer
		if b, err = newBuffer(n); err == nil && fill {
			for i, f := 0, b.floats(); i < n; i++ {
				f[i] = float32(2*rng.Float64() - 1)
			}
		}
		return b
	}
	d.in0 = alloc(op.Inputs[0].Len(), true)
	if len(op.Inputs) > 1 {
		d.in1 = alloc(op.Inputs[1].Len(), true)
		d.pkdCand = alloc(op.Inputs[1].Len(), false)
		d.pkdYard = alloc(op.Inputs[1].Len(), false)
	} else {
		d.in1 = alloc(1, false)
		d.pkdCand = alloc(1, false)
		d.pkdYard = alloc(1, false)
	}
	d.out = alloc(op.Output.Len(), false)
	d.yard = alloc(op.Output.Len(), false)
	if err != nil {
		return nil, err
	}
	r.data[key] = d
	return d, nil
}

// prepare packs the weights for l into dst and returns the in1 to use.
func (d *opData) prepare(l *lib, dst buffer) *C.float {
	if l.packedLen == 0 {
		return d.in1.p
	}
	C.ss_pack(l.pack, d.in1.p, dst.p)
	return dst.p
}

// Run serves one Request.
func (r *Runner) Run(ctx context.Context, req Request) (*Response, error) {
	op, err := kernel.Lookup(req.Op)
	if err != nil {
		return nil, err
	}
	cand, err := r.lib(req.Candidate)
	if err != nil {
		return nil, err
	}
	yard, err := r.lib(req.Yardstick)
	if err != nil {
		return nil, err
	}
	d, err := r.opData(op, req.Seed)
	if err != nil {
		return nil, err
	}
	if cand.packedLen > d.pkdCand.n || yard.packedLen > d.pkdYard.n {
		return nil, fmt.Errorf("packed weights larger than the weights (%d, %d > %d floats)", cand.packedLen, yard.packedLen, d.pkdCand.n)
	}
	// Weights are packed once, outside the timed runs, as TVM
	// pre-transforms constant weights; the yardstick's output is kept for
	// the check.
	yin1 := d.prepare(yard, d.pkdYard)
	cin1 := d.prepare(cand, d.pkdCand)
	C.ss_time(yard.kernel, d.in0.p, yin1, d.yard.p)
	first := float64(C.ss_time(cand.kernel, d.in0.p, cin1, d.out.p))
	resp := &Response{MaxErr: maxErr(d.out.floats(), d.yard.floats())}
	if !(resp.MaxErr <= Tolerance) {
		return resp, fmt.Errorf("wrong output: max error %.3g exceeds the tolerance %.0e (relative to max(1, max |reference|))", resp.MaxErr, Tolerance)
	}
	runCand := func() float64 { return float64(C.ss_time(cand.kernel, d.in0.p, cin1, d.out.p)) }
	yardOnce := func() float64 { return float64(C.ss_time(yard.kernel, d.in0.p, yin1, d.yard.p)) }
	// the yardstick runs about as long as the candidate next to it (at
	// most 20 runs)
	ty0 := yardOnce()
	yardRuns := max(1, min(20, int(first/max(ty0, 1e-9)+0.5)))
	runYard := func() []float64 {
		ys := make([]float64, yardRuns)
		for i := range ys {
			ys[i] = yardOnce()
		}
		return ys
	}
	warmup, reps, maxReps := req.Warmup, max(req.Reps, 1), max(req.MaxReps, req.Reps, 1)
	if req.MaxTime > 0 && first > req.MaxTime.Seconds()/10 {
		// A slow kernel (a near-naive schedule): the check run warmed it
		// and one interleaved pair is enough to rank it.
		warmup, reps, maxReps = 0, 1, 1
	}
	for range warmup {
		runYard()
		runCand()
	}
	total := 0.0
	for i := 0; i < maxReps; i++ {
		if i >= reps && total >= req.MinTime.Seconds() {
			break
		}
		if i >= 1 && req.MaxTime > 0 && total >= req.MaxTime.Seconds() {
			break
		}
		if err := ctx.Err(); err != nil {
			return resp, err
		}
		var tc float64
		var ty []float64
		if i%2 == 0 { // ABBA: alternate which goes first
			tc = runCand()
			ty = runYard()
		} else {
			ty = runYard()
			tc = runCand()
		}
		resp.Candidate = append(resp.Candidate, tc)
		resp.Yardstick = append(resp.Yardstick, ty)
		total += tc
	}
	return resp, nil
}

func maxErr(got, want []float32) float64 {
	scale, worst := 1.0, 0.0
	for i := range want {
		scale = max(scale, math.Abs(float64(want[i])))
		e := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(e) {
			return math.Inf(1)
		}
		worst = max(worst, e)
	}
	return worst / scale
}
