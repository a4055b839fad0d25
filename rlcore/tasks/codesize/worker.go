package codesize

import (
	"context"
	"errors"
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

// The LLVM work of every episode runs in a worker process of the isolate
// package (this same binary, re-executed): an LLVM abort, a segfault, a
// pass that runs past its time or memory limit kills the worker, not the
// search. A worker keeps per-process state: the parsed initial modules and
// the episodes' modules by handle.
const workerService = "codesize"

// llvmCall is the one request name of the service: an encoded request, an
// encoded response (codec.go).
const llvmCall = "llvm"

func init() {
	isolate.Register(isolate.Service{
		Name:     workerService,
		Setup:    setupWorker,
		Handlers: map[string]isolate.Handler{llvmCall: serveLLVM},
	})
}

// ErrCrashed is matched (errors.Is) by the errors of episodes whose worker
// process died (an LLVM abort, a signal, a time or memory limit): it tells
// a crash from an ordinary error.
var ErrCrashed = isolate.ErrCrashed

// op is a worker request kind.
type op uint8

const (
	opLoad      op = iota + 1 // Key (+Bitcode the first time) → new handle at the benchmark's initial module
	opApply                   // Handle, Pipeline → IC
	opClone                   // Handle → new handle
	opFree                    // Handle
	opInstCount               // Handle → Counts (70)
	opAutophase               // Handle → Counts (56)
	opTextSize                // Handle → Size
	opBitcode                 // Handle → Bitcode
	opBaseline                // Key, Pipeline → IC and, with WithSize, Size of the pipeline's result
	opIR                      // Handle → IR (textual)
	opVerify                  // Handle → Err when the module is malformed
	opObject                  // Handle → Bitcode holding the object file for the host
	opParse                   // Bitcode → new handle at that module (a saved state; not kept as an initial module)
)

type request struct {
	Op       op
	Handle   int
	Key      string
	Bitcode  []byte
	Pipeline string
	WithSize bool
	Verify   bool // opApply: run the verifier on the result
}

// errInvalidIR prefixes the error of a pass that produced IR the verifier
// rejects.
var errInvalidIR = errors.New("the pass produced invalid IR")

type response struct {
	Handle  int
	IC      int64
	Size    int64
	Counts  []int64
	Bitcode []byte
	// NeedBitcode: the worker does not hold Key; resend with Bitcode.
	NeedBitcode bool
	// HasMain (opBaseline): the module defines main.
	HasMain bool
	IR      string
}

// maxCachedModules bounds the initial modules (bitcode) a worker keeps.
const maxCachedModules = 64

type workerState struct {
	ctx     *llvm.Context
	tm      *llvm.TargetMachine
	initial map[string][]byte // initial bitcode by key, verified
	modules map[int]*llvm.Module
	next    int
}

// worker is the state of this process when it is a worker.
var worker *workerState

func setupWorker() error {
	tm, err := llvm.NewHostTargetMachine()
	if err != nil {
		return err
	}
	worker = &workerState{ctx: llvm.NewContext(), tm: tm, initial: map[string][]byte{}, modules: map[int]*llvm.Module{}}
	return nil
}

func serveLLVM(_ context.Context, data []byte) ([]byte, error) {
	var req request
	if err := req.decode(data); err != nil {
		return nil, err
	}
	var resp response
	if err := worker.do(&req, &resp); err != nil {
		return nil, err
	}
	return resp.encode(), nil
}

// callLLVM sends one request to a worker.
func callLLVM(ctx context.Context, w *isolate.Worker, req *request) (*response, error) {
	data, err := w.Call(ctx, llvmCall, req.encode())
	if err != nil {
		return nil, err
	}
	var resp response
	if err := resp.decode(data); err != nil {
		return nil, err
	}
	return &resp, nil
}

func (st *workerState) module(h int) (*llvm.Module, error) {
	m, ok := st.modules[h]
	if !ok {
		return nil, fmt.Errorf("no module with handle %d", h)
	}
	return m, nil
}

func (st *workerState) add(m *llvm.Module) int {
	st.next++
	st.modules[st.next] = m
	return st.next
}

// initialModule parses a fresh copy of a benchmark's initial module. It
// parses the bitcode every time rather than cloning a parsed module:
// LLVMCloneModule reorders use lists, to which some passes are sensitive
// (attributor removed 2 instructions fewer on a csmith program), and the
// task's counts must be those opt-19 gives on the same bitcode (see
// OptPipeline). Parsing costs about as much as cloning.
func (st *workerState) initialModule(req *request) (*llvm.Module, bool, error) {
	bc, known := st.initial[req.Key]
	if !known {
		if req.Bitcode == nil {
			return nil, false, nil
		}
		bc = req.Bitcode
	}
	m, err := st.ctx.Parse(bc, req.Key)
	if err != nil {
		delete(st.initial, req.Key)
		return nil, true, err
	}
	if known {
		return m, true, nil
	}
	// Passes assume valid IR: a malformed module would crash them, so it
	// is refused here with the verifier's words, once per worker.
	if err := m.Verify(); err != nil {
		m.Dispose()
		return nil, true, fmt.Errorf("the module is not valid LLVM IR: %w", err)
	}
	if len(st.initial) >= maxCachedModules {
		for k := range st.initial {
			delete(st.initial, k)
			break
		}
	}
	st.initial[req.Key] = bc
	return m, true, nil
}

func (st *workerState) textSize(m *llvm.Module) (int64, error) {
	obj, err := st.tm.EmitObject(m)
	if err != nil {
		return 0, err
	}
	return llvm.TextSize(obj)
}

func (st *workerState) do(req *request, resp *response) error {
	switch req.Op {
	case opLoad, opBaseline:
		m, ok, err := st.initialModule(req)
		if err != nil {
			return err
		}
		if !ok {
			resp.NeedBitcode = true
			return nil
		}
		if req.Op == opLoad {
			resp.Handle = st.add(m)
			resp.IC = m.InstructionCount()
			return nil
		}
		defer m.Dispose()
		resp.HasMain = m.HasDefinition("main")
		if req.Pipeline != "" {
			if err := m.RunPasses(req.Pipeline, st.tm, llvm.PassOptions{}); err != nil {
				return err
			}
		}
		resp.IC = m.InstructionCount()
		if req.WithSize {
			resp.Size, err = st.textSize(m)
		}
		return err
	}
	if req.Op == opParse {
		m, err := st.ctx.Parse(req.Bitcode, "snapshot")
		if err != nil {
			return err
		}
		resp.Handle = st.add(m)
		resp.IC = m.InstructionCount()
		return nil
	}
	m, err := st.module(req.Handle)
	if err != nil {
		return err
	}
	switch req.Op {
	case opApply:
		if err := m.RunPasses(req.Pipeline, st.tm, llvm.PassOptions{}); err != nil {
			return err
		}
		if req.Verify {
			if err := m.Verify(); err != nil {
				return fmt.Errorf("%w: %w", errInvalidIR, err)
			}
		}
		resp.IC = m.InstructionCount()
	case opClone:
		resp.Handle = st.add(m.Clone())
	case opFree:
		m.Dispose()
		delete(st.modules, req.Handle)
	case opInstCount:
		c := m.InstCount()
		resp.Counts = c[:]
	case opAutophase:
		c := m.Autophase()
		resp.Counts = c[:]
	case opTextSize:
		resp.Size, err = st.textSize(m)
	case opBitcode:
		resp.Bitcode = m.Bitcode()
	case opIR:
		resp.IR = m.String()
	case opVerify:
		err = m.Verify()
	case opObject:
		resp.Bitcode, err = st.tm.EmitObject(m)
	default:
		return fmt.Errorf("unknown request %d", req.Op)
	}
	return err
}
