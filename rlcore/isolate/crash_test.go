package isolate

import (
	"strings"
	"syscall"
	"testing"
)

// TestDiagnose reads worker stderr as LLVM, the C++ runtime and the Go
// runtime write it.
func TestDiagnose(t *testing.T) {
	goDump := "SIGSEGV: segmentation violation\nPC=0x7f3c m=0 sigcode=1 addr=0x18\nsignal arrived during cgo execution\n\n" +
		"goroutine 1 gp=0xc000002380 m=0 mp=0x7ba740 [syscall, locked to thread]:\nruntime.cgocall(0x5a1230, 0xc00004fc28)\n" +
		"\t/usr/local/go/src/runtime/cgocall.go:167 +0x4b\n" +
		"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm._Cfunc_ss_run_passes(0x1, 0x2)\n\t_cgo_gotypes.go:300 +0x4e\n" +
		strings.Repeat("goroutine 2 [idle]:\nruntime.gopark()\n", 50)
	for _, tc := range []struct {
		name    string
		stderr  string
		signal  syscall.Signal
		timeout bool
		kind    CrashKind
		message string
	}{
		{"llvm fatal error", "warning: ignored\nLLVM ERROR: Broken module found, compilation aborted!\n", syscall.SIGABRT, false, Aborted,
			"LLVM ERROR: Broken module found, compilation aborted!"},
		{"llvm assertion", "opt: /build/llvm/lib/IR/Value.cpp:123: void llvm::Value::f(): Assertion `x && \"bad\"' failed.\n", syscall.SIGABRT, false, Aborted,
			"Assertion `x && \"bad\"' failed."},
		{"llvm out of memory", "LLVM ERROR: out of memory\nAllocation failed\n", syscall.SIGABRT, false, OutOfMemory, "LLVM ERROR: out of memory"},
		{"c++ bad_alloc", "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n", syscall.SIGABRT, false, OutOfMemory,
			"terminate called after throwing an instance of 'std::bad_alloc'; what():  std::bad_alloc"},
		{"segfault in C", goDump, 0, false, Segfault,
			"SIGSEGV: segmentation violation; in C function ss_run_passes"},
		{"go panic", "panic: runtime error: index out of range [3] with length 2\n\ngoroutine 1 [running]:\nmain.f()\n", 0, false, Panicked,
			"panic: runtime error: index out of range [3] with length 2"},
		{"killed from outside", "", syscall.SIGKILL, false, Killed, "SIGKILL from outside the pool"},
		{"timeout", "", syscall.SIGKILL, true, Timeout, ""},
		{"plain exit", "", 0, false, Exited, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &stderrWatch{max: 1 << 10}
			// Write in odd chunks, as a pipe delivers.
			for s := tc.stderr; s != ""; {
				n := min(len(s), 7)
				w.Write([]byte(s[:n]))
				s = s[n:]
			}
			notable, tail := w.report()
			if len(tail) > 1<<10 {
				t.Errorf("tail of %d bytes, want at most 1 KiB", len(tail))
			}
			kind, msg := diagnose(&exitInfo{signal: tc.signal}, tc.timeout, notable)
			if kind != tc.kind || msg != tc.message && !(tc.message != "" && strings.Contains(msg, tc.message)) {
				t.Errorf("diagnosed %q: %q, want %q: %q", kind, msg, tc.kind, tc.message)
			}
		})
	}
}
