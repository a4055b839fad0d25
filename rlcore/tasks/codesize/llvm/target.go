package llvm

/*
#include <stdlib.h>
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
*/
import "C"

import (
	"bytes"
	"debug/elf"
	"fmt"
	"unsafe"
)

// TargetMachine generates code for one target.
type TargetMachine struct {
	t      C.LLVMTargetMachineRef
	triple string
}

// NewHostTargetMachine makes a target machine for the host (its default
// triple, CPU and features) at the default code-generation level (-O2,
// as llc), with position-independent code as Debian's clang emits.
func NewHostTargetMachine() (*TargetMachine, error) {
	if err := initNative(); err != nil {
		return nil, err
	}
	triple := C.LLVMGetDefaultTargetTriple()
	defer C.LLVMDisposeMessage(triple)
	cpu := C.LLVMGetHostCPUName()
	defer C.LLVMDisposeMessage(cpu)
	feat := C.LLVMGetHostCPUFeatures()
	defer C.LLVMDisposeMessage(feat)
	var target C.LLVMTargetRef
	var msg *C.char
	if C.LLVMGetTargetFromTriple(triple, &target, &msg) != 0 {
		return nil, fmt.Errorf("llvm: host target %s: %s", C.GoString(triple), takeMessage(msg))
	}
	t := C.LLVMCreateTargetMachine(target, triple, cpu, feat, C.LLVMCodeGenLevelDefault, C.LLVMRelocPIC, C.LLVMCodeModelDefault)
	if t == nil {
		return nil, fmt.Errorf("llvm: cannot create a target machine for %s", C.GoString(triple))
	}
	return &TargetMachine{t: t, triple: C.GoString(triple)}, nil
}

// Triple is the target triple.
func (tm *TargetMachine) Triple() string { return tm.triple }

// Dispose frees the target machine.
func (tm *TargetMachine) Dispose() {
	if tm.t != nil {
		C.LLVMDisposeTargetMachine(tm.t)
		tm.t = nil
	}
}

// EmitObject compiles m to an object file in memory. Code generation
// changes the IR it runs on, so it works on a clone and leaves m as it was.
func (tm *TargetMachine) EmitObject(m *Module) ([]byte, error) {
	c := m.Clone()
	defer c.Dispose()
	var msg *C.char
	var buf C.LLVMMemoryBufferRef
	if C.LLVMTargetMachineEmitToMemoryBuffer(tm.t, c.m, C.LLVMObjectFile, &msg, &buf) != 0 {
		return nil, fmt.Errorf("llvm: emit object: %s", takeMessage(msg))
	}
	defer C.LLVMDisposeMemoryBuffer(buf)
	return C.GoBytes(unsafe.Pointer(C.LLVMGetBufferStart(buf)), C.int(C.LLVMGetBufferSize(buf))), nil
}

// TextSize is the total size in bytes of the executable code sections
// (.text and .text.*) of an ELF object file, as llvm-size reports .text.
func TextSize(obj []byte) (int64, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return 0, fmt.Errorf("read object file: %w", err)
	}
	defer f.Close()
	var n int64
	for _, s := range f.Sections {
		if s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR != 0 {
			n += int64(s.Size)
		}
	}
	return n, nil
}
