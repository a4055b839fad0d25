package measure

import (
	"context"
	"fmt"
	"sort"
)

// peakIters is the FMA-chain iterations per thread of the peak kernel.
const peakIters = 2_000_000

// peakChains independent 16-lane FMA chains hide the FMA latency (4–5
// cycles) at two FMA pipes.
const peakChains = 12

// PeakC is the documented microbenchmark of the machine's peak float32
// throughput: one thread runs peakChains independent chains of 16-lane
// fused multiply-adds (a = a·m + c) for peakIters iterations; clang -O3
// -march=native turns each line into one vfmadd on 512-bit (or two on
// 256-bit) registers. The kernel writes omp_get_max_threads() to out[0]:
// the peak of the machine is the one-thread figure times that count. (A
// parallel version measures the same on a quiet machine, but on a loaded
// one each run waits for all its threads to be scheduled at once, which
// understates the peak by several times.)
var PeakC = fmt.Sprintf(`#include <omp.h>
typedef float v16 __attribute__((vector_size(64)));
const long tensor_packed_len = 0;
void tensor_pack(const float *in1, float *packed) { (void)in1; (void)packed; }
void tensor_kernel(const float *in0, const float *in1, float *out) {
  (void)in1;
  v16 m = {0}, c = {0}, a[%[1]d];
  for (int l = 0; l < 16; l++) { m[l] = in0[0] * 0.5f + 0.5f; c[l] = in0[1] * 1e-3f; }
  for (int k = 0; k < %[1]d; k++) for (int l = 0; l < 16; l++) a[k][l] = (float)(k + l);
  for (long i = 0; i < %[2]d; i++) {
    #pragma unroll
    for (int k = 0; k < %[1]d; k++) a[k] = a[k] * m + c;
  }
  float s = 0;
  for (int k = 0; k < %[1]d; k++) for (int l = 0; l < 16; l++) s += a[k][l];
  out[0] = (float)omp_get_max_threads();
  out[1] = s;
}
`, peakChains, peakIters)

// Peak is the measured peak float32 throughput.
type Peak struct {
	Threads int     // OpenMP threads (the kernels' parallel loops use as many)
	Thread  float64 // GFLOP/s of one thread, best of the runs
	GFLOPS  float64 // Threads × Thread
	Median  float64 // Threads × the median run
}

// Peak compiles PeakC (see MeasurePeak) or takes its shared object at
// path and runs it runs times; the best run is the peak (the least
// disturbed by other load).
func (r *Runner) Peak(ctx context.Context, path string, runs int) (Peak, error) {
	l, err := r.lib(path)
	if err != nil {
		return Peak{}, fmt.Errorf("peak microbenchmark: %w", err)
	}
	in, err := newBuffer(2)
	if err != nil {
		return Peak{}, err
	}
	defer in.free()
	out, err := newBuffer(2)
	if err != nil {
		return Peak{}, err
	}
	defer out.free()
	in.floats()[0], in.floats()[1] = 0.9, 0.1
	var gf []float64
	var p Peak
	for i := 0; i < max(runs, 1)+1; i++ {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		secs := l.time(in, in, out)
		p.Threads = int(out.floats()[0])
		if i == 0 {
			continue // warm-up: thread start
		}
		gf = append(gf, peakIters*peakChains*16*2/secs/1e9)
	}
	sort.Float64s(gf)
	p.Thread = gf[len(gf)-1]
	p.GFLOPS, p.Median = float64(p.Threads)*p.Thread, float64(p.Threads)*gf[len(gf)/2]
	return p, nil
}

// MeasurePeak compiles PeakC and runs it in r (see Runner.Peak).
func MeasurePeak(ctx context.Context, c *Compiler, r *Runner, runs int) (Peak, error) {
	art, err := c.Compile(ctx, PeakC)
	if err != nil {
		return Peak{}, fmt.Errorf("peak microbenchmark: %w", err)
	}
	return r.Peak(ctx, art.Path, runs)
}
