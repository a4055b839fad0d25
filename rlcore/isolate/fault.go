package isolate

/*
#include <signal.h>
#include <stdlib.h>

static void ss_isolate_default_abort(void) { signal(SIGABRT, SIG_DFL); }
static void ss_isolate_abort(void) { abort(); }
static void ss_isolate_segfault(void) { volatile int *p = 0; *p = 42; }
*/
import "C"

import (
	"context"
	"time"
)

// Names of the fault-injection handlers every worker serves besides its
// service's own, for crash tests of the pool and of the tasks built on it.
const (
	// FaultAbort calls C abort(), as a failed LLVM check does.
	FaultAbort = "isolate.abort"
	// FaultSegfault writes through a null pointer in C code.
	FaultSegfault = "isolate.segfault"
	// FaultHang loops until the worker is killed.
	FaultHang = "isolate.hang"
	// FaultHog allocates memory until the worker's memory
	// limit ends it.
	FaultHog = "isolate.hog"
)

// dieOnAbort restores the default action of SIGABRT, so that a native
// abort ends the worker at once with "signal: aborted" and the library's
// own message on stderr, instead of a Go runtime dump.
func dieOnAbort() { C.ss_isolate_default_abort() }

var faults = map[string]Handler{
	FaultAbort: func(context.Context, []byte) ([]byte, error) {
		C.ss_isolate_abort()
		return nil, nil
	},
	FaultSegfault: func(context.Context, []byte) ([]byte, error) {
		C.ss_isolate_segfault()
		return nil, nil
	},
	FaultHang: func(context.Context, []byte) ([]byte, error) {
		for {
			time.Sleep(time.Hour)
		}
	},
	FaultHog: func(context.Context, []byte) ([]byte, error) {
		var keep [][]byte
		for {
			// The limit counts address space: allocating is enough, the
			// pages need not be touched.
			b := make([]byte, 64<<20)
			b[0] = 1
			keep = append(keep, b)
		}
	},
}
