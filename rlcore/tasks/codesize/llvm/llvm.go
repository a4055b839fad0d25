// Package llvm is Supersonic's thin cgo wrapper of the LLVM-C API of
// libLLVM-19 (Debian llvm-19-dev): parse IR or bitcode from memory, clone
// modules, run new-pass-manager pipelines (LLVMRunPasses), count
// instructions and compute the InstCount and Autophase features, verify,
// write bitcode, hash, and emit an object file for the host to measure its
// .text size.
//
// Every value that owns LLVM memory has an explicit Dispose; finalizers are
// not used. A Context and everything made in it must be used by one
// goroutine at a time (LLVM contexts are not thread-safe); different
// contexts may be used in parallel. LLVM aborts the process on some internal
// errors, so callers that must survive bad inputs run this code in a
// supervised worker process (see package codesize).
package llvm

/*
#cgo CFLAGS: -I/usr/lib/llvm-19/include -D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS -D__STDC_LIMIT_MACROS
#cgo LDFLAGS: -L/usr/lib/llvm-19/lib -lLLVM-19 -Wl,-rpath,/usr/lib/llvm-19/lib
#include <stdlib.h>
#include <string.h>
#include <llvm-c/Core.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include "irfeatures.h"

static int ss_init_native(void) {
	if (LLVMInitializeNativeTarget()) return 1;
	if (LLVMInitializeNativeAsmPrinter()) return 2;
	return 0;
}

// ss_run_passes runs a pipeline and returns NULL or an error message to free.
static char *ss_run_passes(LLVMModuleRef m, const char *p, LLVMTargetMachineRef tm, LLVMPassBuilderOptionsRef o) {
	LLVMErrorRef err = LLVMRunPasses(m, p, tm, o);
	if (!err) return NULL;
	char *msg = LLVMGetErrorMessage(err);
	char *out = strdup(msg);
	LLVMDisposeErrorMessage(msg);
	return out;
}
*/
import "C"

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// InstCountDim and AutophaseDim are the lengths of the feature vectors.
const (
	InstCountDim = 70
	AutophaseDim = 56
)

// The C extractors agree on the lengths (a negative constant would not
// convert to uint).
const (
	_ = uint(InstCountDim-C.SS_INSTCOUNT_DIM) + uint(C.SS_INSTCOUNT_DIM-InstCountDim)
	_ = uint(AutophaseDim-C.SS_AUTOPHASE_DIM) + uint(C.SS_AUTOPHASE_DIM-AutophaseDim)
)

var (
	initOnce sync.Once
	initErr  error
)

// initNative registers the host target (once per process).
func initNative() error {
	initOnce.Do(func() {
		if rc := C.ss_init_native(); rc != 0 {
			initErr = fmt.Errorf("llvm: cannot initialise the native target (step %d)", rc)
		}
	})
	return initErr
}

// Context owns modules. Dispose it after disposing its modules.
type Context struct{ c C.LLVMContextRef }

// NewContext creates an LLVM context.
func NewContext() *Context { return &Context{c: C.LLVMContextCreate()} }

// Dispose frees the context. Its modules must be disposed first.
func (c *Context) Dispose() {
	if c.c != nil {
		C.LLVMContextDispose(c.c)
		c.c = nil
	}
}

// Module is an LLVM module owned by a Context.
type Module struct{ m C.LLVMModuleRef }

// ErrEmpty is returned when parsing empty input.
var ErrEmpty = errors.New("empty input: no IR or bitcode to parse")

// Parse reads textual IR (.ll) or bitcode (.bc) from data; name is used in
// diagnostics.
func (c *Context) Parse(data []byte, name string) (*Module, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrEmpty)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	// The parser takes ownership of the buffer, so give it a copy.
	buf := C.LLVMCreateMemoryBufferWithMemoryRangeCopy((*C.char)(unsafe.Pointer(&data[0])), C.size_t(len(data)), cname)
	var m C.LLVMModuleRef
	var msg *C.char
	if C.LLVMParseIRInContext(c.c, buf, &m, &msg) != 0 {
		return nil, fmt.Errorf("parse %s: %s", name, takeMessage(msg))
	}
	return &Module{m: m}, nil
}

func takeMessage(msg *C.char) string {
	if msg == nil {
		return "unknown error"
	}
	s := C.GoString(msg)
	C.LLVMDisposeMessage(msg)
	return s
}

// Clone returns an independent copy of m in the same context.
func (m *Module) Clone() *Module { return &Module{m: C.LLVMCloneModule(m.m)} }

// Dispose frees the module.
func (m *Module) Dispose() {
	if m.m != nil {
		C.LLVMDisposeModule(m.m)
		m.m = nil
	}
}

// Triple is the module's target triple.
func (m *Module) Triple() string { return C.GoString(C.LLVMGetTarget(m.m)) }

// PassOptions configures RunPasses.
type PassOptions struct {
	// VerifyEach runs the verifier after every pass (slow; for debugging).
	VerifyEach bool
}

// RunPasses runs a new-pass-manager pipeline, written as for opt -passes
// (e.g. "instcombine<no-verify-fixpoint>", "loop(loop-rotate)",
// "default<Oz>"). tm may be nil; with a target machine, passes see the
// target's cost model. An unknown pass name is an error, not an abort.
func (m *Module) RunPasses(pipeline string, tm *TargetMachine, opts PassOptions) error {
	cp := C.CString(pipeline)
	defer C.free(unsafe.Pointer(cp))
	o := C.LLVMCreatePassBuilderOptions()
	defer C.LLVMDisposePassBuilderOptions(o)
	if opts.VerifyEach {
		C.LLVMPassBuilderOptionsSetVerifyEach(o, 1)
	}
	var t C.LLVMTargetMachineRef
	if tm != nil {
		t = tm.t
	}
	if msg := C.ss_run_passes(m.m, cp, t, o); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return fmt.Errorf("run passes %q: %s", pipeline, C.GoString(msg))
	}
	return nil
}

// Verify checks the module's well-formedness.
func (m *Module) Verify() error {
	var msg *C.char
	if C.LLVMVerifyModule(m.m, C.LLVMReturnStatusAction, &msg) != 0 {
		return fmt.Errorf("verify module: %s", takeMessage(msg))
	}
	if msg != nil {
		C.LLVMDisposeMessage(msg)
	}
	return nil
}

// InstructionCount is the number of IR instructions in the module
// (CompilerGym's IrInstructionCount).
func (m *Module) InstructionCount() int64 { return int64(C.ss_instruction_count(m.m)) }

// InstCount returns CompilerGym's InstCount features: TotalInsts,
// TotalBlocks, TotalFuncs, then one count per opcode in
// llvm/IR/Instruction.def order (see InstCountNames).
func (m *Module) InstCount() [InstCountDim]int64 {
	var out [InstCountDim]int64
	C.ss_instcount(m.m, (*C.int64_t)(unsafe.Pointer(&out[0])))
	return out
}

// Autophase returns the 56 Autophase features (see AutophaseNames).
func (m *Module) Autophase() [AutophaseDim]int64 {
	var out [AutophaseDim]int64
	C.ss_autophase(m.m, (*C.int64_t)(unsafe.Pointer(&out[0])))
	return out
}

// Bitcode serialises the module.
func (m *Module) Bitcode() []byte {
	buf := C.LLVMWriteBitcodeToMemoryBuffer(m.m)
	defer C.LLVMDisposeMemoryBuffer(buf)
	return C.GoBytes(unsafe.Pointer(C.LLVMGetBufferStart(buf)), C.int(C.LLVMGetBufferSize(buf)))
}

// Hash is the SHA-256 of the module's bitcode.
func (m *Module) Hash() [32]byte { return sha256.Sum256(m.Bitcode()) }

// String prints the module as textual IR.
func (m *Module) String() string {
	s := C.LLVMPrintModuleToString(m.m)
	defer C.LLVMDisposeMessage(s)
	return C.GoString(s)
}

// HasDefinition reports whether the module defines (not just declares) a
// function named name.
func (m *Module) HasDefinition(name string) bool {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	f := C.LLVMGetNamedFunction(m.m, cn)
	return f != nil && C.LLVMIsDeclaration(f) == 0
}
