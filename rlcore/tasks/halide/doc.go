// Package halide registers the "halide" task: scheduling image pipelines
// written in Halide 14 (case study 1 of the SuperSonic paper), compiled by
// Halide's JIT and timed on this machine.
//
// Pipelines. Ten pipelines written by this project in Halide's C++ front
// end (package hl; the algorithms and input sizes are in hl.Docs): harris,
// interpolate (bilinear pyramid), hist_eq, max_filter, unsharp, nl_means,
// lens_blur, local_laplacian, conv_layer and stencil_chain. A benchmark is
// a pipeline's name ("builtin:harris" works too; "builtin:*" is all ten).
// Inputs are a generated test image, so nothing is downloaded.
//
// Schedules and actions. A schedule (package schedule) gives every stage
// a compute level (inline, compute_root, compute_at the row strip or
// tile of the compute_root stage its consumers run in, optionally
// store_root), split/tile sizes, a vector width, a parallel outer loop,
// an unroll factor and a loop order (channels inside the tile). An
// episode starts from option.start — the default schedule (every stage
// compute_root, serial and scalar) unless set to "fused",
// "root-parallel", "grouped", "blocked", "grouped-rows" or "best" — with a cursor on the output
// stage; an action moves the cursor, sets one directive of the cursor's stage, or (the three
// macros fuse-tiles, root-parallel and inline-pointwise) rewrites the
// whole schedule into a pattern Halide's auto-schedulers use: the
// output tiled, vectorized at the native width (16 floats) and parallel
// over tile rows, with every producer inlined when its consumers read it
// pointwise, computed per output tile otherwise, and reductions such as
// histograms computed at the root in parallel (schedule.Fused); or every
// stage compute_root, vectorized and parallel (schedule.RootParallel).
// Three more actions group stages as Mullapudi2016 does
// (schedule.Grouped): group-root makes the cursor's stage a group of its
// own (compute_root, vectorized, parallel, its reduction loops outside the
// vector loop), group-member computes it per tile of its consumers' group
// root, and group-stages rewrites the whole schedule into the greedy
// grouping: stages read pointwise inlined (unless a consumer loops over a
// variable they lack, as colour channels over a grey level), stages read
// at scaled or computed coordinates (pyramid levels, gathers) and
// non-pure reductions group roots, stencil stages per tile of their group.
// Register blocking, as Adams2019 schedules a convolution: order block
// (with a tile whose width is a multiple of the vector width) unrolls the
// inner tile of a reduction's updates — TileX/Vector vectors, TileY rows
// and, with block-c=N, N channels — inside the reduction loops, so its
// accumulators stay in registers; register-block sets that up on the
// cursor's stage, and schedule.Blocked is Grouped with every such
// reduction blocked.
// schedule.GroupedRows groups as Mullapudi2016 places nl_means: a
// reduction read by every colour channel is a group root of its own and
// the members are computed per row of their root, untiled.
// option.start=grouped, blocked or grouped-rows starts there;
// option.start=best times the fused, grouped, blocked and grouped-rows
// schedules twice each (each only where it differs from those before),
// side by side, when an episode
// first starts on a pipeline (once per process) and starts from the
// faster by the lower of each one's figures, or from the default schedule
// when neither beats it (on a busy machine, parallel schedules of a
// pipeline with little work can lose to the serial default).
// The same 50 actions for every pipeline (order=couter puts the channel
// loops outermost and parallel; order=block, block-c=0/2/4 and
// register-block, the last five, block registers). Observations (state
// halide-schedule) describe the cursor's stage and directives, the
// pipeline's share of stages per directive and the speedups so far.
//
// Measurement. Every edit is compiled and timed at once, in a worker
// process of package isolate, so that a Halide error, an abort, a crash or
// a run that exceeds option.run-timeout costs that one measurement: the
// edit is undone and counted in Episode.Failures with its reason, and the
// episode goes on. Compiled pipelines are cached in the worker by schedule
// text, and measurements are memoized per process by schedule, so the same
// actions give the same quality in every episode of a session. A
// measurement runs the schedule option.warmup times, then times it
// option.runs times and more, up to ten times as many, until the timed
// runs took option.min-time (100 ms) in all, each run next to a run of the
// default schedule (alternating which goes first); the quality is the
// median CPU time of the default schedule's runs over the median wall
// time of the schedule's (the speedup shown always equals the two times
// shown divided). The default is serial, so its CPU time is all its work
// and does not grow when load preempts it (its wall time did, and with it
// the ratio: a long serial run is preempted often, a short fast one
// seldom); under load the schedule's wall time grows, so the figure errs
// low. The default schedule is the yardstick: it has no run time-out.
// A schedule whose first measurement beats the pipeline's best so far is
// timed once more, next to a re-timing of that best, and the lower of its
// two figures is the one kept (and it becomes the best only if that beats
// the best's re-timing): a search keeps the
// largest of many noisy figures, so without this its pick is whichever
// measurement caught a quiet moment. Problem.Retime times schedules and
// auto-schedulers side by side, afresh, for comparisons. The worker fixes
// glibc's mmap threshold (32 MiB) and turns off trimming, so a run reuses
// the memory the last one freed: left adaptive, the threshold rose at a
// moment that depended on the process's history, and until then every
// run of a schedule with large compute_root buffers paid a page fault per
// 4 KiB (the default schedule of unsharp took 80-300 ms before, 3 ms
// after, in one process).
// The first run's output is compared with the default schedule's: the
// largest absolute difference must be at most option.tolerance (1e-3)
// times the largest absolute value of the default output. Halide does not
// reorder floating-point arithmetic across schedules, but vector and scalar
// code may contract a*b+c into fused multiply-adds differently, which
// changes the last bits.
//
// Quality, measures, references. Quality is the speedup over the default
// schedule (1 = as fast). Measures: "time" (median ms) and "speedup".
// References: "default" (quality 1) and Halide 14's auto-schedulers
// "adams2019", "li2018" and "mullapudi2016", loaded from Debian's plugins
// with load_plugin and run by Pipeline::auto_schedule with
// MachineParams(option.cores, 16 MiB, 40); Adams2019 uses the cost-model
// weights built into the plugin and option.adams2019-beam/-passes. Their
// measurements say how each was called (Measurement.Params) and give its
// schedule as C++ (Measurement.Source). Rewards: halide-log-speedup (an
// episode's return is the log of its final speedup) and
// halide-best-improvement (how much a step raised the episode's best).
//
// Results. Problem.ScheduleOf replays an action sequence and returns the
// schedule reached; Schedule.CPP prints it as Halide C++ scheduling calls
// to paste after the pipeline's definition.
package halide
