// Package isolate runs native code (LLVM, a Halide JIT, a compiled kernel)
// in worker processes, so that an abort, a segfault, a runaway loop or a
// memory hog costs one call — one episode — instead of the search, the
// notebook kernel or the machine.
//
// A worker is this same program re-executed with an environment variable
// that names a service: the task's package registers the service in an
// init function, and in the worker process that Register call never
// returns — it serves requests on stdin/stdout. This works in test
// binaries, commands and gonb cells alike, since they all import the task.
//
// # Registering and calling
//
// A task registers its handlers once:
//
//	func init() {
//		isolate.Register(isolate.Service{
//			Name: "mytask",
//			Setup: func() error { jit = newJIT(); return nil }, // once per worker
//			Handlers: map[string]isolate.Handler{
//				"compile": func(ctx context.Context, req []byte) ([]byte, error) {
//					return jit.compile(req) // native code: may abort
//				},
//				"run": isolate.GobHandler(func(ctx context.Context, r *runRequest) (*runResult, error) {
//					return jit.run(r)
//				}),
//			},
//		})
//	}
//
// and calls them through a pool:
//
//	pool, err := isolate.NewPool(isolate.Config{Service: "mytask", CallTimeout: time.Minute})
//	out, err := pool.Call(ctx, "compile", src)
//	res, err := isolate.CallGob[runResult](ctx, pool, "run", &runRequest{…})
//
// Handlers run one at a time on the worker's main OS thread, so per-worker
// state lives in ordinary package variables of the worker process (each
// worker has its own): parsed modules, JIT-compiled functions, handles to
// them. A sequence of calls that uses such state holds one worker:
//
//	w, err := pool.Acquire(ctx)
//	defer w.Release()
//	h, err := w.Call(ctx, "load", module)      // the worker keeps the module
//	out, err := w.Call(ctx, "optimize", h)     // and finds it again here
//
// (Retain adds a reference, for instance for a forked episode that shares
// its parent's worker.)
//
// # Bounds
//
//   - Time: each call ends by the earliest of Config.CallTimeout (or
//     WithCallTimeout's value), the context's deadline and WithCallDeadline's
//     instant, which a search derives from its wall-clock budget. A call that
//     overruns has its worker killed and fails with a *CrashError matching
//     ErrTimeout, and also ErrDeadline when it was WithCallDeadline's instant
//     that ran out (a budget cut, not a fault of the code); the caller's
//     context stays live, so it can stop cleanly with its best result so far. Cancelling the context kills the worker
//     and returns the context's error.
//   - Memory: each worker runs under RLIMIT_AS = Config.MemoryLimit,
//     DefaultMemoryLimit (a quarter of physical memory, at least 4 GiB)
//     unless set. Reaching it ends the worker with a *CrashError matching
//     ErrOutOfMemory.
//   - Life: every worker dies with its parent (PR_SET_PDEATHSIG, set from a
//     thread that lives as long as the process) and runs in its own process
//     group, which the pool kills as a whole; kill -9 of a search leaves no
//     orphan worker behind.
//
// # Crashes
//
// A worker that dies fails the call it was serving, and every later call on
// it, with a *CrashError (errors.Is ErrCrashed) whose message is one
// readable line: the kind (aborted, segfault, timeout, out of memory,
// killed, panic), the process status, and the lines of stderr that explain
// it — "LLVM ERROR: …", an assertion, a Go panic or fatal error with its
// signal and the C function it happened in — rather than the runtime's
// dump (kept in Stderr). The task adds a reproducer (WithReproducer). The
// dead worker is replaced in the background. Every worker also serves the
// fault-injection calls FaultAbort, FaultSegfault, FaultHang and FaultHog,
// for crash tests.
package isolate
