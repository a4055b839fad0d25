// Package store is Supersonic's run store: every search, tuning,
// deployment and comparison run, with each pull, learning curve, tuned
// configuration, policy weights and result, kept in one SQLite file.
//
// The file is written through the pure-Go driver modernc.org/sqlite in WAL
// mode with a busy timeout, through a single connection, so the parallel
// workers of a search (and a second process such as `sqlite3 supersonic.db`
// reading at the same time) are safe. Each pull is written the moment it
// finishes: a run that is interrupted (context cancelled by a kernel
// interrupt or SIGINT) keeps every pull done so far and is marked
// "interrupted". A run records its owner process (pid, host, start time)
// and a heartbeat (every HeartbeatInterval); when Open finds a running run
// whose owner is gone (killed with SIGKILL, crashed; on another host: no
// heartbeat for StaleAfter) it marks it "abandoned", keeping what it has.
// A write that finds the file locked by another client past SQLite's busy
// timeout is retried with backoff until its context ends.
//
// The default file is ./supersonic.db, or $SUPERSONIC_DB when it is set
// (see [DefaultPath]).
//
// # Schema (PRAGMA user_version = 3; version 1 and 2 files are upgraded on Open)
//
// Times are RFC 3339 text in UTC, durations are seconds (REAL), lists and
// maps are JSON text, so the file reads well with the sqlite3 CLI:
//
//	runs        id, name, kind (search|tune|deploy|compare|train), task, strategy,
//	            spec (JSON of the search.Spec), options (JSON), parent (the
//	            search run a tune/deploy/compare/train run works from), status
//	            (running|finished|budget|interrupted|failed|abandoned),
//	            started, finished, error, winner (arm name), winner_score,
//	            owner_pid, owner_host, owner_start, heartbeat
//	arms        run, idx, name, state, reward, actions, transition,
//	            algorithm, pulls, failures, failed_episodes, mean, best,
//	            status (active|retired)
//	pulls       id, run, seq, arm (name), worker, seed, hyper (JSON), budget,
//	            rung (ASHA rung, 0 otherwise), score, status
//	            (ok|failed|interrupted), error, steps, episodes,
//	            failed_episodes, episode_errors (JSON, the first few), elapsed,
//	            best_benchmark, best_actions (JSON), per_benchmark (JSON
//	            benchmark → quality), started
//	jobs        run, seq, id, arm_index, arm, started: the pulls a search
//	            started (a search continued after its process died redoes
//	            or takes the ones that have no row in pulls)
//	curves      pull, idx, step, episode, elapsed, return, quality, best
//	tuned       id, run (the tune run), search_run, arm, algorithm, hyper
//	            (JSON), score, budget, created
//	policies    id, run, pull (the pull or trial that trained them), arm,
//	            weights (BLOB: nn's weight format, or a Q-table), created,
//	            source (pull|trial|deploy|train, or "" for a search
//	            strategy's own network), algorithm, hyper (JSON), score
//	deployments id, run, benchmark, arm, hyper (JSON), quality, actions
//	            (JSON task action indices, as applied), action_names (JSON),
//	            walltime, found, validated (0|1), error, policy (the stored
//	            policy it started from, NULL: none), weights (which weights
//	            were used, in words)
//	baselines   id, run, benchmark, method (supersonic = the client RL, the
//	            compiler default such as oz, or a search baseline), quality,
//	            walltime, found, time_to_target (NULL: never reached),
//	            actions (JSON agent actions), curve (JSON [[elapsed,best]…]),
//	            error
//
// For example:
//
//	sqlite3 supersonic.db "select name, kind, status, winner from runs"
//	sqlite3 supersonic.db "select arm, count(*), avg(score) from pulls where run=1 group by arm"
package store
