package hl

/*
#cgo CXXFLAGS: -std=c++17 -O2 -I/usr/include/halide14 -Wno-deprecated-declarations
#cgo LDFLAGS: -lHalide14 -lstdc++ -ldl -lpthread
#include <stdlib.h>
#include "hl.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"
)

// Request is one measurement: a pipeline under a schedule (directive
// lines, see Schedule in package schedule) or under an auto-scheduler.
type Request struct {
	Pipeline string
	// Directives is the schedule as directive lines; "" is the default
	// schedule (every stage compute_root, serial, scalar).
	Directives string
	// AutoScheduler names a Halide 14 auto-scheduler plugin ("Adams2019",
	// "Li2018", "Mullapudi2016"); when set, Directives is ignored.
	AutoScheduler string
	Machine       MachineParams
	// BeamSize and Passes set Adams2019's beam search (HL_BEAM_SIZE,
	// HL_NUM_PASSES; 0 keeps the plugin's defaults, 32 and 5).
	BeamSize, Passes int
	// Warmup runs before timing (at least 1: the first run also checks
	// the output); Runs timed runs, and more, up to MaxRuns, until the
	// timed runs (the default's included) took MinTimeMs in all: a
	// pipeline that runs in a few milliseconds gets enough runs for a
	// median that holds on a busy machine.
	Warmup, Runs, MaxRuns int
	MinTimeMs             float64
	// Interleave times the default schedule between the candidate's runs.
	Interleave bool
	// RunTimeoutMs fails the measurement when the first run is slower
	// (0: no time-out).
	RunTimeoutMs float64
}

// MachineParams are the auto-schedulers' machine description.
type MachineParams struct {
	Parallelism int     // cores
	CacheBytes  int64   // last-level cache size
	Balance     float64 // cost of a load over an arithmetic op
}

// DefaultMachine describes this 2-core machine as Halide's
// MachineParams::generic() would, with 2 cores instead of 16.
var DefaultMachine = MachineParams{Parallelism: 2, CacheBytes: 16 << 20, Balance: 40}

// Result is what one measurement found.
type Result struct {
	CompileMs float64   // JIT compile (and auto-schedule) time; 0 when cached
	TimesMs   []float64 // candidate runs
	RefMs     []float64 // the default schedule's runs, interleaved (when asked)
	// RefCPUMs is the CPU time of each of the default schedule's runs
	// (serial, so all of its work): unlike its wall time, it does not
	// grow when the machine's load preempts the run.
	RefCPUMs  []float64
	MaxAbsErr float64 // largest |output - default output|
	MaxRef    float64 // largest |default output|
	Source    string  // the auto-scheduler's schedule as C++ (auto-schedulers only)
}

var catalogOnce = sync.OnceValues(func() (string, error) {
	p := C.hl_catalog()
	defer C.free(unsafe.Pointer(p))
	return C.GoString(p), nil
})

// Measure compiles (or reuses) and times the request in this process. A
// Halide error comes back as an error; a Halide abort or a crash kills the
// process, so callers run it in a worker process.
func Measure(req Request) (Result, error) {
	pipe := C.CString(req.Pipeline)
	defer C.free(unsafe.Pointer(pipe))
	sched := C.CString(req.Directives)
	defer C.free(unsafe.Pointer(sched))
	as := C.CString(req.AutoScheduler)
	defer C.free(unsafe.Pointer(as))
	m := req.Machine
	if m.Parallelism == 0 {
		m = DefaultMachine
	}
	warm := req.Warmup
	if warm < 1 {
		warm = 1
	}
	inter := 0
	if req.Interleave {
		inter = 1
	}
	if req.AutoScheduler == "Adams2019" {
		setenv("HL_BEAM_SIZE", req.BeamSize)
		setenv("HL_NUM_PASSES", req.Passes)
	}
	r := C.hl_measure(pipe, sched, as, C.int(m.Parallelism), C.longlong(m.CacheBytes), C.double(m.Balance),
		C.int(warm), C.int(req.Runs), C.int(req.MaxRuns), C.double(req.MinTimeMs), C.int(inter), C.double(req.RunTimeoutMs))
	defer C.hl_free_result(&r)
	if r.error != nil {
		return Result{}, errors.New(C.GoString(r.error))
	}
	res := Result{CompileMs: float64(r.compile_ms), MaxAbsErr: float64(r.max_abs_err), MaxRef: float64(r.max_ref)}
	if r.source != nil {
		res.Source = C.GoString(r.source)
	}
	n := int(r.runs)
	if n > 0 {
		res.TimesMs = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(r.times_ms)), n)...)
		if req.Interleave {
			res.RefMs = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(r.ref_times_ms)), n)...)
			res.RefCPUMs = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(r.ref_cpu_ms)), n)...)
		}
	}
	return res, nil
}

func setenv(name string, v int) {
	if v > 0 {
		os.Setenv(name, strconv.Itoa(v))
	} else {
		os.Unsetenv(name)
	}
}

// Image is a float image, row-major with channels innermost.
type Image struct {
	W, H, C int
	Pix     []float32
}

// Input is the pipeline's generated input image; Output its output under
// the default schedule.
func Input(pipeline string) (Image, error)  { return image(pipeline, 0) }
func Output(pipeline string) (Image, error) { return image(pipeline, 1) }

func image(pipeline string, which int) (Image, error) {
	pipe := C.CString(pipeline)
	defer C.free(unsafe.Pointer(pipe))
	var dims [3]C.int
	var cerr *C.char
	p := C.hl_image(pipe, C.int(which), &dims[0], &cerr)
	if cerr != nil {
		defer C.free(unsafe.Pointer(cerr))
		return Image{}, fmt.Errorf("halide image of %s: %s", pipeline, C.GoString(cerr))
	}
	defer C.free(unsafe.Pointer(p))
	im := Image{W: int(dims[0]), H: int(dims[1]), C: int(dims[2])}
	im.Pix = append([]float32(nil), unsafe.Slice((*float32)(unsafe.Pointer(p)), im.W*im.H*im.C)...)
	return im, nil
}
