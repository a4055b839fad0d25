// Package cluster runs Supersonic's jobs — search pulls, tuning trials,
// deployments, comparison runs — on many machines through NATS JetStream.
//
// The coordinator (a notebook cell or a program) passes an [Executor] to
// the search phases (search.Options.Executor and the same field of
// TuneOptions, DeployOptions and CompareOptions); workers run [Serve]
// (`supersonic worker --nats URL`). On the server:
//
//   - stream SUPERSONIC_JOBS_V2 (work-queue retention, subjects
//     supersonic.v2.jobs.TASK) holds one message per job: the search.Job (task
//     and options, arm, hyperparameters, seed, budget, benchmarks); its
//     message id is the job id, so a job queued twice is stored once;
//   - the durable pull consumer "workers" is shared by every worker: a
//     worker takes a job when it has a free slot, says it is alive every
//     second while training (in-progress acks), publishes the result and
//     then acknowledges the job. A job whose worker dies is given to
//     another one after the consumer's AckWait; a job delivered more than
//     MaxAttempts times is reported as a failed pull, so an arm that kills
//     its workers is retired as a crashing arm is locally;
//   - stream SUPERSONIC_RESULTS_V2 (subjects supersonic.v2.results.RUN, RUN a
//     hash of the job's run, search.Job.Run) keeps results for a week; the
//     coordinator reads each run's with an ordered consumer and counts each
//     job id once, however many times the job was delivered. A search
//     continued after its coordinator died (search.Options.Resume) thus
//     reads the results of the jobs that finished while none ran, and its
//     jobs still on the queue are not queued twice (their message id is
//     the job id);
//   - training events go to supersonic.v2.events.RUN (core NATS, best
//     effort) and reach the phase's Observer, so live charts keep working;
//   - benchmark files (a path on the coordinator's machine) are shipped
//     through object store supersonic_benchmarks, named by the SHA-256 of
//     their content: workers need no shared file system. Benchmarks a task
//     names (builtin:crc32, csmith:7) are resolved by the worker itself.
//
// Messages are CBOR; V2 in the names is that format's version, so that
// workers and coordinators built for different formats do not share
// streams.
//
// Only the coordinator writes the SQLite run store. A server that goes
// away pauses the work: clients reconnect for ever, the coordinator
// re-queues nothing (jobs and results are on disk in the server's
// JetStream store) and workers publish their results once it is back.
//
// What reaches a remote worker: the job's names and numbers and the
// benchmark files. What does not: Go code. A worker runs the tasks,
// state functions, rewards, transitions and algorithms compiled into its
// binary; `supersonic worker` has the built-in ones (rlcore/all). For
// components written in notebook cells, put the same code in a main
// package that registers them and calls [Serve]:
//
//	package main
//
//	import (
//		"context"
//
//		"github.com/supersonic-rl/supersonic/rlcore"
//		_ "github.com/supersonic-rl/supersonic/rlcore/all"
//		"github.com/supersonic-rl/supersonic/rlcore/search/cluster"
//	)
//
//	func main() {
//		rlcore.RegisterReward(&rlcore.Reward{Name: "ic-relative", …}) // the cell's code
//		nc, err := cluster.Conn{URL: "nats://coordinator:4222"}.Connect()
//		if err != nil {
//			panic(err)
//		}
//		panic(cluster.Serve(context.Background(), nc, cluster.WorkerOptions{}))
//	}
//
// A worker that lacks a job's task or component refuses it with the list
// of what it has; the coordinator records that as the pull's error.
//
// Security: [StartServer] listens on 127.0.0.1 unless told otherwise;
// [Conn] supports TLS (server CA, client certificates), NATS credentials
// files and nkey seeds.
package cluster
