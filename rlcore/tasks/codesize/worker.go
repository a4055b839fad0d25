package codesize

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

// The LLVM work of every episode runs in a worker process: this same
// binary, re-executed with workerEnv=1, serving requests on stdin/stdout
// until stdin closes. An LLVM abort kills the worker, not the search.
const workerEnv = "SUPERSONIC_CODESIZE_WORKER"

// workerGreeting is the first line a ready worker writes.
const workerGreeting = "supersonic codesize worker ready\n"

func init() {
	if os.Getenv(workerEnv) != "1" {
		return
	}
	os.Unsetenv(workerEnv)
	os.Exit(runWorker())
}

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
	opAbort                   // debugging: abort() the worker as an LLVM check failure would
	opIR                      // Handle → IR (textual)
	opVerify                  // Handle → Err when the module is malformed
	opObject                  // Handle → Bitcode holding the object file for the host
)

type request struct {
	Op       op
	Handle   int
	Key      string
	Bitcode  []byte
	Pipeline string
	WithSize bool
}

type response struct {
	Handle  int
	IC      int64
	Size    int64
	Counts  []int64
	Bitcode []byte
	Err     string
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
	initial map[string][]byte // initial bitcode by key
	modules map[int]*llvm.Module
	next    int
}

func runWorker() int {
	dieOnAbort()
	// The protocol owns the original stdout; anything LLVM prints goes to
	// stderr, which the parent keeps for crash reports.
	protoFD, err := syscall.Dup(1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "codesize worker: dup stdout:", err)
		return 2
	}
	if err := syscall.Dup3(2, 1, 0); err != nil {
		fmt.Fprintln(os.Stderr, "codesize worker: redirect stdout:", err)
		return 2
	}
	out := bufio.NewWriter(os.NewFile(uintptr(protoFD), "protocol"))
	// The greeting lets the parent skip anything that earlier package
	// initialisers printed to stdout.
	out.WriteString(workerGreeting)
	enc := gob.NewEncoder(out)
	dec := gob.NewDecoder(bufio.NewReader(os.Stdin))
	tm, err := llvm.NewHostTargetMachine()
	if err != nil {
		fmt.Fprintln(os.Stderr, "codesize worker:", err)
		return 2
	}
	st := &workerState{ctx: llvm.NewContext(), tm: tm, initial: map[string][]byte{}, modules: map[int]*llvm.Module{}}
	if err := out.Flush(); err != nil {
		return 2
	}
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if err != io.EOF {
				slog.Error("codesize worker: read request", "err", err)
				return 2
			}
			return 0
		}
		resp := st.serve(&req)
		if err := enc.Encode(resp); err != nil {
			slog.Error("codesize worker: write response", "err", err)
			return 2
		}
		if err := out.Flush(); err != nil {
			return 2
		}
	}
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
	bc, ok := st.initial[req.Key]
	if !ok {
		if req.Bitcode == nil {
			return nil, false, nil
		}
		if len(st.initial) >= maxCachedModules {
			for k := range st.initial {
				delete(st.initial, k)
				break
			}
		}
		bc = req.Bitcode
		st.initial[req.Key] = bc
	}
	m, err := st.ctx.Parse(bc, req.Key)
	if err != nil {
		delete(st.initial, req.Key)
		return nil, true, err
	}
	return m, true, nil
}

func (st *workerState) textSize(m *llvm.Module) (int64, error) {
	obj, err := st.tm.EmitObject(m)
	if err != nil {
		return 0, err
	}
	return llvm.TextSize(obj)
}

func (st *workerState) serve(req *request) *response {
	resp := &response{}
	if err := st.do(req, resp); err != nil {
		resp.Err = err.Error()
	}
	return resp
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
	case opAbort:
		abortProcess()
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
