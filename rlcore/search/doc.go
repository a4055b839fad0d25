// Package search is Supersonic's meta-optimizer: it finds the client RL
// architecture (state function × reward × action space × transition ×
// algorithm) that works best for a code-optimization task, tunes its
// hyperparameters, deploys it on unseen programs and compares it with the
// task's reference compilation (the compiler's own answer, such as -Oz)
// and with classic search methods. Every run is kept
// in the run store (package store).
//
// The four phases are one call each:
//
//	spec, err := search.ParseSpec("cs", body)                         // %%task cs
//	res, err := search.Search(ctx, spec, search.Options{})            // %search cs
//	tun, err := search.Tune(ctx, search.TuneOptions{Run: "cs"})       // %tune cs
//	dep, err := search.Deploy(ctx, search.DeployOptions{Run: "cs"})   // %deploy cs
//	cmp, err := search.Compare(ctx, search.CompareOptions{Run: "cs"}) // %compare cs
//
// Tune, Deploy and Compare read the search's spec and winner from the
// store (and Deploy and Compare its newest tuned configuration), so they
// work in a later cell or notebook.
//
// # The %%task grammar
//
// The body of a `%%task NAME` cell is one `key: value` per line; `#` starts
// a comment; `;` separates several keys on one line (except in option
// lines); every list is comma-separated (commas inside parentheses do not
// split). Keys (each at most once; an old spelling counts as its key):
//
//	task: codesize                     the registered task (alias: env)
//	option.NAME: VALUE                 a task option, e.g. option.cflags: -std=gnu89
//	benchmarks: SPEC, …                training benchmarks (alias: train), or the
//	                                   whole set with folds
//	test: SPEC, …                      unseen benchmarks for deploy and compare
//	folds: K                           K-fold cross-validation over benchmarks
//	fold: I                            the held-out fold, 0 … K-1 (default 0)
//	states: REF, …                     state functions; REF+REF concatenates
//	rewards: NAME, …                   default quality-delta
//	actions: NAME, …                   action spaces, default all
//	transitions: NAME, …               default apply
//	algorithms: NAME(P=V, …), …        algorithms with optional fixed hyperparameters
//	horizon: N                         episode length (default 45)
//	seed: N                            every random choice flows from it (default 1)
//	pull: BUDGET                       one pull's training budget (10s, 2000steps, …)
//	reference: NAME                    the reference compilation compare reports
//	                                   (alias: baseline; default the task's own:
//	                                   oz for codesize, o3 for superopt)
//	methods: NAME, …                   search methods compare runs (alias:
//	                                   baselines; default random, greedy, anneal,
//	                                   genetic)
//
// For example:
//
//	%%task cs
//	task: codesize
//	benchmarks: builtin:* ; folds: 3
//	states: autophase, instcount-norm+action-history(8)
//	rewards: quality-delta, quality
//	algorithms: ppo(lr=3e-4), a2c, reinforce
//	pull: 20s
//
// [Spec.Validate] checks every name against the rlcore registry and lists
// the allowed names; [SpecHelp] prints the grammar.
//
// # Pulls and the score
//
// The arm space is the Cartesian product of the spec's lists
// ([Spec.Arms]). A pull opens a fresh env for the arm ([rlcore.NewTaskEnv]
// on the problem the search opened once and shares), trains the arm's
// algorithm for the pull budget on the training benchmarks (cycled by
// Reset), and scores it: the score is the mean, over the training
// benchmarks reached, of the best task quality found on each
// (Result.PerBenchmark[b].Quality). Task quality is normalized by the task
// (for code size, CompilerGym's metric: 1.0 removes as many instructions
// as -Oz, higher is better) and is never clipped.
//
// Pulls run on Options.Workers goroutines (default the number of CPUs),
// each with its own env; nothing is shared between pulls but the problem
// (which rlcore requires to be safe for concurrent episodes) and the run
// store. A pull that errors or panics is recorded with its error; an arm
// that keeps failing is retired; the search goes on.
//
// # Executors
//
// Every phase hands its jobs (pulls, trials, deployments, the comparison's
// training runs) to an [Executor]: by default the local pool, which runs
// them in this process as described above; package rlcore/search/cluster
// runs them on NATS JetStream workers on other machines. A [Job] is
// self-contained (task and options, arm, hyperparameters, seed, budget,
// benchmarks); [RunJob] is what a worker does with it. Whatever the
// executor, the phase alone writes the run store.
//
// # Strategies
//
// All strategies share one budget (rlcore.Budget in pulls and wall time;
// another unit is an error) and one winner rule: the arm with the best mean score among
// arms with at least Options.MinPulls successful pulls. See [Strategies]:
// bandit (default), drl (the paper's meta-agent, with its defects fixed),
// grid, random, anneal and genetic.
//
// # Tuning, deployment, comparison
//
// [Tune] runs ASHA over the winner algorithm's hyperparameter ranges.
// [Deploy] trains the (tuned) winner on each test benchmark within a
// budget and validates the best action sequence by replaying it on a fresh
// env, then through the problem's [rlcore.Validator] if it implements one
// (a [rlcore.ResultChecker] problem, whose episodes a replay cannot
// reproduce, checks its recorded best result instead). It warm-starts from
// the stored weights of the winner (the search keeps each arm's best
// pull's, Tune the best trial's) unless FromScratch is set, and says which
// weights it used.
// [Train] trains the winner across programs — the task's corpus
// ([rlcore.Corpus]) and the user's benchmarks, minus a held-out fold on
// which the greedy policy is scored after every round — and stores every
// round's policy; Deploy with ZeroShot applies the best one to each
// program without training (greedy plus sampled rollouts, the best
// validated: on the state its rollout saved when the problem is a
// [rlcore.SavedStateValidator], so that its actions are not applied again,
// else replayed), and Compare shows it as the method [ZeroShotMethod].
// [Compare] runs the client RL, the task's reference compilations and the
// search methods on the same benchmarks with the same budget, and reports
// the table and the search overhead ([Overhead]).
//
// Everything long-running takes a context: cancelling it stops the run,
// keeps everything so far in the store (status interrupted) and returns
// the best found. Progress goes to the Observer / OnPull callbacks, or as
// one slog line per pull to the terminal when none is set.
package search
