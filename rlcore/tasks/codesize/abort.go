package codesize

/*
#include <signal.h>
#include <stdlib.h>

static void ss_default_abort(void) { signal(SIGABRT, SIG_DFL); }
*/
import "C"

// abortProcess ends the process the way a failed LLVM check does, for the
// crash-isolation test.
func abortProcess() { C.abort() }

// dieOnAbort restores the default action of SIGABRT, so that an LLVM abort
// ends the worker at once with "signal: aborted" and LLVM's own message on
// stderr, instead of a Go runtime dump.
func dieOnAbort() { C.ss_default_abort() }
