// Package rlcore is Supersonic's reinforcement-learning engine: the
// environment API, the task-component registry and the training-loop
// plumbing that every algorithm, task and search shares.
//
// The pieces fit together like this:
//
//   - An [Env] is a Gym-style environment with contexts: [Env.Reset] on a
//     named benchmark, [Env.Step] with a discrete action. Optional interfaces
//     add action masks ([Masker]), forking for tree search ([Forker]) and a
//     task-level quality score ([Scorer]).
//   - A compiler problem is a [Problem] that opens [Episode]s on benchmarks.
//     Task components — state functions, reward functions, action spaces,
//     transition functions and measures — are plain values registered by
//     name ([RegisterState], [RegisterReward], …) and composed into an Env by
//     [NewTaskEnv]. A component written in a notebook cell registers exactly
//     like a built-in one.
//   - An [Algorithm] (the "client RL", or a classic search baseline) trains
//     on an Env under a [Budget] and returns a [Result] whose [Status] says
//     why it stopped. Algorithms drive the env through a [Recorder], which
//     enforces the budget, tracks the best episode per benchmark, tolerates
//     isolated failing episodes and streams [Event]s to observers.
//
// Zero values of budgets mean "no limit", as in gonum's optimize.Settings.
package rlcore
