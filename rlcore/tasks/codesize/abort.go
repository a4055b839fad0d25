package codesize

// #include <stdlib.h>
import "C"

// abortProcess ends the process the way a failed LLVM check does, for the
// crash-isolation test.
func abortProcess() { C.abort() }
