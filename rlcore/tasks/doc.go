// Package tasks holds Supersonic's tasks, one folder each, and is the
// guide to writing one. A task is a compiler optimization problem that the
// search can explore: code size (codesize), superoptimization (superopt),
// and the worked example (example). The contract a task meets is stated
// in package rlcore (contract.go; `go doc ./rlcore` explains it) and
// checked by the conformance suite rlcore/tasktest.
//
// # Writing a task
//
// A task is one folder under rlcore/tasks plus one import line in
// rlcore/all. Start from the example, a complete task in one file:
//
//	cp -r rlcore/tasks/example rlcore/tasks/mytask
//	sed -i 's/example/mytask/g' rlcore/tasks/mytask/*.go
//
// (the sed renames the package, the task, its state function
// example-value and the test's import: every registered name must be
// unique, and a second registration of a name panics naming both places).
// Then add the import line to rlcore/all/all.go, next to the others:
//
//	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/mytask"
//
// and check it:
//
//	go test -race ./rlcore/tasks/mytask   # the conformance suite
//
// The task now appears in `%supersonic list tasks` in a notebook (cells
// compile against this checkout), and a %%task cell can use it:
//
//	%%task first
//	task: mytask
//	benchmarks: ex0, ex1 ; test: ex2
//	states: mytask-value
//	algorithms: ppo, random
//	pull: 200steps
//
// # What to change
//
// In the copied file, replace the binary-fraction toy with your problem:
//
//   - the rlcore.Task value in init: Doc, Options (typed and documented;
//     they arrive validated and with defaults in OpenConfig.Options),
//     References and DefaultReference (what your compiler does without
//     search; leave both empty if there is none), Measures (the metrics
//     your Episode.Measure answers; rewards read them), CheckBenchmark
//     (optional: the syntax of a benchmark spec, checked without opening
//     the problem, so the kernel answers a malformed benchmarks: line
//     before compiling) and Open, which receives the run's seed: draw
//     every random choice from it. If your task runs a program (a
//     compiler, a solver), check it in Open with rlcore.NeedTool, add it
//     to install.sh, and test the message with tasktest.MissingTools;
//   - Problem: Actions (one name per action), Benchmarks (resolve one
//     item of a comma-separated benchmarks: list; say what is allowed
//     when a spec is wrong), NewEpisode (a benchmark that cannot be
//     prepared is an error naming it, for that call only) and Close. The
//     problem is shared by parallel workers: guard its state with a mutex;
//   - Episode: Apply, Measure, Quality (your canonical score, higher is
//     better, comparable across benchmarks; 1.0 = as good as the reference
//     is a good convention), Fork (an independent copy) and Close; add
//     Reference (rlcore.Referencer) if you declared References;
//   - optional: ValidateActions (rlcore.Validator) to check a deployed
//     sequence beyond a replay, or CheckResult (rlcore.ResultChecker) if
//     your episodes are not a function of their actions;
//   - components in init: state functions (rlcore.RegisterState, at least
//     one, since an arm needs one), and if you like rewards, action spaces
//     and transitions with Task: TaskName. The generic ones (quality-delta,
//     all, apply, action-history(N), …) work with every task.
//     rlcore.EpisodeState makes the New of a state function without
//     arguments from a function of your Episode type (rlcore.NoArgs from
//     any StateFunc), and rlcore.EpisodeAs gives a component your Episode
//     type (or an error naming the component).
//
// Code that can crash the process (a JIT, a native compiler library)
// belongs in a worker process, so that a crash costs one episode and not
// the search; see how codesize runs LLVM.
//
// Keep the conformance test: it checks determinism under the seed, fork
// independence, concurrent episodes (run it with -race), replay of the
// best actions, the declared measures and references, prompt
// cancellation, and that a bad benchmark fails alone.
package tasks
