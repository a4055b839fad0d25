// Package rlcore is Supersonic's reinforcement-learning engine: the
// environment API, the task contract, the component registry and the
// training-loop plumbing that every algorithm, task and search shares.
//
// The pieces fit together like this:
//
//   - An [Env] is a Gym-style environment with contexts: [Env.Reset] on a
//     named benchmark, [Env.Step] with a discrete action. Optional interfaces
//     add action masks ([Masker]), forking for tree search ([Forker]) and a
//     task-level quality score ([Scorer]).
//   - A compiler problem is a [Task] that opens a [Problem], which starts
//     [Episode]s on benchmarks (the task contract, below). Task components
//     — state functions, reward functions, action spaces and transition
//     functions — are plain values registered by name ([RegisterState],
//     [RegisterReward], …) and composed into an Env by [NewTaskEnv]. A
//     component written in a notebook cell registers exactly like a
//     built-in one.
//   - An [Algorithm] (the "client RL", or a classic search method) trains
//     on an Env under a [Budget] and returns a [Result] whose [Status] says
//     why it stopped. Algorithms drive the env through a [Recorder], which
//     enforces the budget, tracks the best episode per benchmark, tolerates
//     isolated failing episodes and streams [Event]s to observers.
//
// Zero values of budgets mean "no limit", as in gonum's optimize.Settings.
//
// # The task contract
//
// Everything a task provides is declared in contract.go; the conformance
// suite rlcore/tasktest checks it, and package rlcore/tasks is the guide
// to writing one (rlcore/tasks/example is a complete task in one file).
//
// A task is a plain [Task] value registered with [RegisterTask] from the
// task package's init function:
//
//   - Name and Doc, for %%task cells and listings;
//   - Options: each [Option] has a name, an [OptionType], a default and a
//     doc. %%task cells give them as option.NAME: value; [Task.ParseOptions]
//     validates them generically (an unknown or malformed option is an
//     error listing the allowed ones with their types), and Open receives
//     them parsed in [OpenConfig.Options] with defaults filled in;
//   - References: the reference compilations the task can measure — the
//     compiler's own answer to the problem (-Oz, gcc -O3, a default
//     schedule, an auto-scheduler) — and DefaultReference, the one
//     %compare reports unless the spec names another;
//   - Measures: the metrics Episode.Measure understands (rewards read
//     them before and after each step);
//   - CheckBenchmark (optional): the syntax of one benchmark spec, checked
//     without opening the problem, so that %%task answers a malformed
//     benchmarks: line before anything compiles;
//   - Open(ctx, [OpenConfig]): creates the [Problem] with the run's seed
//     (every random choice of the task flows from it), the options and a
//     logger. Open checks the tools the task needs, so a missing compiler
//     fails before a search starts. Use [OpenTask] to validate and open in
//     one call.
//
// A [Problem] names its actions, resolves benchmark specs (one item of a
// comma-separated %%task list each) and starts episodes; it is shared by
// all the parallel workers of a search, so it must be safe for concurrent
// use, and a benchmark that fails to prepare must fail that call only. An
// [Episode] applies actions, reads measures and its [Episode.Quality] —
// the task's canonical score, higher is better, comparable across
// benchmarks (for code size 1.0 = as good as -Oz) — and forks into an
// independent copy.
//
// Optional capabilities are small interfaces the search finds by type
// assertion:
//
//   - [Referencer] (Episode): measures of the benchmark under a declared
//     reference compilation; required when the task declares References.
//   - [Validator] (Problem): checks a deployed action sequence beyond
//     replaying it (for code size: the program still compiles and behaves
//     like the original).
//   - [StateSaver] (Episode) and [SavedStateValidator] (Problem): save the
//     current program as data and validate such a saved state as a replay
//     of its actions would be validated, without applying them again (a
//     zero-shot deployment validates its best rollout's state this way).
//   - [ResultChecker] (Problem): for tasks whose episodes are not a function
//     of their action sequence (superopt's random move details), checks the
//     recorded best result instead of a replay (superopt re-proves it with
//     z3).
//
// Explaining and exporting results (package rlcore/explain, %explain,
// %export, supersonic replay) uses further capabilities, declared in
// explain.go: [Snapshotter] and [Mixer] (Episode: the program as named
// text parts, for step diffs, and its composition), [PrimaryMeasurer]
// (the measure shown after every step), [StepViewer] (a task's own view
// of one step, e.g. a schedule diff or the time per stage),
// [ResultViewer] (a task's view of a whole result) and [Exporter] (a
// result as a self-contained file that replays elsewhere). Register a long
// help with [RegisterTaskHelp] (%supersonic help TASK).
//
// # Two meanings of "baseline"
//
// The paper calls two different things baselines. Here a reference
// compilation ([Reference]: oz, o3, a default schedule) is what the
// compiler does without search, measured through [Referencer]; a search
// method (random, greedy, anneal, genetic) is an [Algorithm] of kind
// [Searcher] that searches action sequences under the same budget as the
// client RL. The %%task keys are reference: and methods: (the old
// spellings baseline: and baselines: still work), and %compare --with
// takes both kinds (--baselines is its old spelling).
//
// # Registration
//
// Every name is registered once: registering a name that another place of
// the program registered panics with both places (file:line); registering
// it again from the same place — a notebook cell run again — replaces it.
// Components name the tasks they apply to (Task: "codesize", or several
// comma-separated, "codesize, superopt"; "" for any task); a spec
// that pairs a component with another task is rejected before anything
// runs, and [List] filters by task (%supersonic list rewards codesize).
package rlcore
