package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SchemaVersion is the PRAGMA user_version of a store written by this
// package.
const SchemaVersion = 3

// DefaultFile is the store's file name in the current directory.
const DefaultFile = "supersonic.db"

// EnvVar names the environment variable that overrides DefaultFile.
const EnvVar = "SUPERSONIC_DB"

// DefaultPath returns $SUPERSONIC_DB, or ./supersonic.db when it is unset.
func DefaultPath() string {
	if p := os.Getenv(EnvVar); p != "" {
		return p
	}
	return DefaultFile
}

// Store is an open run store. It is safe for concurrent use: all access
// goes through one connection, SQLite's busy timeout makes other processes
// wait, and a write that still finds the file locked is retried with
// backoff until its context ends (see retry.go).
type Store struct {
	db   *sql.DB
	path string
	// Abandoned lists the runs that Open found running with their owner
	// process gone and marked abandoned.
	Abandoned []Run
}

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('search','tune','deploy','compare','train')),
	task TEXT NOT NULL DEFAULT '',
	strategy TEXT NOT NULL DEFAULT '',
	spec TEXT NOT NULL DEFAULT '{}',
	options TEXT NOT NULL DEFAULT '{}',
	parent INTEGER REFERENCES runs(id),
	status TEXT NOT NULL CHECK (status IN ('running','finished','budget','interrupted','failed','abandoned')),
	started TEXT NOT NULL,
	finished TEXT,
	error TEXT NOT NULL DEFAULT '',
	winner TEXT NOT NULL DEFAULT '',
	winner_score REAL,
	owner_pid INTEGER NOT NULL DEFAULT 0,
	owner_host TEXT NOT NULL DEFAULT '',
	owner_start TEXT NOT NULL DEFAULT '',
	heartbeat TEXT
);
CREATE INDEX IF NOT EXISTS runs_name ON runs(name, id);
CREATE TABLE IF NOT EXISTS arms (
	run INTEGER NOT NULL REFERENCES runs(id),
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	state TEXT NOT NULL, reward TEXT NOT NULL, actions TEXT NOT NULL,
	transition TEXT NOT NULL, algorithm TEXT NOT NULL,
	pulls INTEGER NOT NULL DEFAULT 0,
	failures INTEGER NOT NULL DEFAULT 0,
	failed_episodes INTEGER NOT NULL DEFAULT 0,
	mean REAL, best REAL,
	status TEXT NOT NULL DEFAULT 'active',
	PRIMARY KEY (run, idx)
);
CREATE TABLE IF NOT EXISTS pulls (
	id INTEGER PRIMARY KEY,
	run INTEGER NOT NULL REFERENCES runs(id),
	seq INTEGER NOT NULL,
	arm TEXT NOT NULL,
	worker INTEGER NOT NULL,
	seed INTEGER NOT NULL,
	hyper TEXT NOT NULL DEFAULT '{}',
	budget TEXT NOT NULL DEFAULT '',
	rung INTEGER NOT NULL DEFAULT 0,
	score REAL,
	status TEXT NOT NULL CHECK (status IN ('ok','failed','interrupted')),
	error TEXT NOT NULL DEFAULT '',
	steps INTEGER NOT NULL DEFAULT 0,
	episodes INTEGER NOT NULL DEFAULT 0,
	failed_episodes INTEGER NOT NULL DEFAULT 0,
	episode_errors TEXT NOT NULL DEFAULT '[]',
	elapsed REAL NOT NULL DEFAULT 0,
	best_benchmark TEXT NOT NULL DEFAULT '',
	best_actions TEXT NOT NULL DEFAULT '[]',
	per_benchmark TEXT NOT NULL DEFAULT '{}',
	started TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pulls_run ON pulls(run, seq);
CREATE TABLE IF NOT EXISTS curves (
	pull INTEGER NOT NULL REFERENCES pulls(id),
	idx INTEGER NOT NULL,
	step INTEGER NOT NULL, episode INTEGER NOT NULL, elapsed REAL NOT NULL,
	return REAL, quality REAL, best REAL,
	PRIMARY KEY (pull, idx)
);
CREATE TABLE IF NOT EXISTS tuned (
	id INTEGER PRIMARY KEY,
	run INTEGER NOT NULL REFERENCES runs(id),
	search_run INTEGER REFERENCES runs(id),
	arm TEXT NOT NULL,
	algorithm TEXT NOT NULL,
	hyper TEXT NOT NULL,
	score REAL,
	budget TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS policies (
	id INTEGER PRIMARY KEY,
	run INTEGER NOT NULL REFERENCES runs(id),
	pull INTEGER REFERENCES pulls(id),
	arm TEXT NOT NULL,
	weights BLOB NOT NULL,
	created TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	algorithm TEXT NOT NULL DEFAULT '',
	hyper TEXT NOT NULL DEFAULT '{}',
	score REAL
);
CREATE TABLE IF NOT EXISTS deployments (
	id INTEGER PRIMARY KEY,
	run INTEGER NOT NULL REFERENCES runs(id),
	benchmark TEXT NOT NULL,
	arm TEXT NOT NULL,
	hyper TEXT NOT NULL DEFAULT '{}',
	quality REAL,
	actions TEXT NOT NULL DEFAULT '[]',
	action_names TEXT NOT NULL DEFAULT '[]',
	walltime REAL NOT NULL DEFAULT 0,
	found REAL NOT NULL DEFAULT 0,
	validated INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	policy INTEGER REFERENCES policies(id),
	weights TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS baselines (
	id INTEGER PRIMARY KEY,
	run INTEGER NOT NULL REFERENCES runs(id),
	benchmark TEXT NOT NULL,
	method TEXT NOT NULL,
	quality REAL,
	walltime REAL NOT NULL DEFAULT 0,
	found REAL NOT NULL DEFAULT 0,
	time_to_target REAL,
	actions TEXT NOT NULL DEFAULT '[]',
	curve TEXT NOT NULL DEFAULT '[]',
	error TEXT NOT NULL DEFAULT ''
);
`

// jobsSchema is a table added without a version change (older programs
// ignore it): every Open creates it when it is missing.
const jobsSchema = `
CREATE TABLE IF NOT EXISTS jobs (
	run INTEGER NOT NULL REFERENCES runs(id),
	seq INTEGER NOT NULL,
	id TEXT NOT NULL,
	arm_index INTEGER NOT NULL,
	arm TEXT NOT NULL,
	started TEXT NOT NULL,
	PRIMARY KEY (run, seq)
);
`

// Open opens (creating if needed) the store at path; "" means
// DefaultPath(). A file written by a newer schema is refused.
func Open(path string) (*Store, error) {
	if path == "" {
		path = DefaultPath()
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("run store %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	// SQLite URI file names escape '%', '?' and '#'.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+uriPath+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("run store %s: %w", path, err)
	}
	// One connection: writes from parallel workers are serialized here
	// rather than racing for SQLite's file lock.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, path: path}
	if err := retry(context.Background(), s.migrate); err != nil {
		db.Close()
		return nil, fmt.Errorf("run store %s: %w", path, err)
	}
	if err := s.markAbandoned(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("run store %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if v > SchemaVersion {
		return fmt.Errorf("schema version %d is newer than this program's %d", v, SchemaVersion)
	}
	if v > 0 && v < SchemaVersion {
		for _, up := range upgrades[v-1:] {
			if err := up(s); err != nil {
				return err
			}
		}
		v = SchemaVersion
	}
	if v == SchemaVersion {
		if _, err := s.db.Exec(jobsSchema); err != nil {
			return fmt.Errorf("creating table jobs: %w", err)
		}
		return nil
	}
	if _, err := s.db.Exec(schema + jobsSchema); err != nil {
		return fmt.Errorf("creating schema: %w", err)
	}
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return fmt.Errorf("setting schema version: %w", err)
	}
	return nil
}

// upgrades[k] upgrades a store of schema version k+1 to k+2.
var upgrades = []func(*Store) error{(*Store).migrate1to2, (*Store).migrate2to3}

// migrate1to2 adds run owners and heartbeats, the abandoned status and
// the failed-episode counts. SQLite cannot change a CHECK constraint, so
// runs is rebuilt (with foreign keys off, as SQLite documents).
func (s *Store) migrate1to2() error {
	return s.upgrade(1, `INSERT INTO runs_new (id, name, kind, task, strategy, spec, options, parent, status, started, finished, error, winner, winner_score)
		 SELECT id, name, kind, task, strategy, spec, options, parent, status, started, finished, error, winner, winner_score FROM runs`,
		`ALTER TABLE arms ADD COLUMN failed_episodes INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE pulls ADD COLUMN failed_episodes INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE pulls ADD COLUMN episode_errors TEXT NOT NULL DEFAULT '[]'`)
}

// migrate2to3 adds the train run kind, what a stored policy came from
// (source, algorithm, hyperparameters, score) and which weights a
// deployment started from (policy, weights).
func (s *Store) migrate2to3() error {
	return s.upgrade(2, `INSERT INTO runs_new SELECT * FROM runs`,
		`ALTER TABLE policies ADD COLUMN source TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE policies ADD COLUMN algorithm TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE policies ADD COLUMN hyper TEXT NOT NULL DEFAULT '{}'`,
		`ALTER TABLE policies ADD COLUMN score REAL`,
		`ALTER TABLE deployments ADD COLUMN policy INTEGER REFERENCES policies(id)`,
		`ALTER TABLE deployments ADD COLUMN weights TEXT NOT NULL DEFAULT ''`)
}

// upgrade moves a store of schema version from to from+1 in one
// transaction: runs is rebuilt with this version's definition (SQLite
// cannot change a CHECK constraint; copyRuns fills runs_new from runs,
// with foreign keys off, as SQLite documents), then the other statements
// run.
func (s *Store) upgrade(from int, copyRuns string, then ...string) error {
	if _, err := s.db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer s.db.Exec(`PRAGMA foreign_keys = ON`)
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v != from { // another process upgraded it meanwhile
		return nil
	}
	runsDDL := schema[strings.Index(schema, "CREATE TABLE IF NOT EXISTS runs"):strings.Index(schema, "CREATE INDEX IF NOT EXISTS runs_name")]
	qs := append([]string{
		strings.Replace(runsDDL, "CREATE TABLE IF NOT EXISTS runs", "CREATE TABLE runs_new", 1),
		copyRuns,
		`DROP TABLE runs`,
		`ALTER TABLE runs_new RENAME TO runs`,
		`CREATE INDEX IF NOT EXISTS runs_name ON runs(name, id)`,
	}, then...)
	qs = append(qs, fmt.Sprintf("PRAGMA user_version = %d", from+1))
	for _, q := range qs {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("upgrading schema %d to %d: %.60s…: %w", from, from+1, q, err)
		}
	}
	return tx.Commit()
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// DB exposes the database for ad-hoc queries (the %runs magic, tests).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Run kinds.
const (
	KindSearch  = "search"
	KindTune    = "tune"
	KindDeploy  = "deploy"
	KindCompare = "compare"
	// KindTrain is a training run across programs (search.Train): its
	// policy, in table policies, is what a zero-shot deployment applies.
	KindTrain = "train"
)

// Run statuses (the first is the state while it runs; the others are
// rlcore.Status strings).
const (
	StatusRunning     = "running"
	StatusFinished    = "finished"
	StatusBudget      = "budget"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
	// StatusAbandoned marks a run whose owner process ended without
	// finishing it (killed, crashed, the machine rebooted); it keeps
	// everything stored until then.
	StatusAbandoned = "abandoned"
)

// Run is one row of runs.
type Run struct {
	ID          int64
	Name        string
	Kind        string
	Task        string
	Strategy    string
	Spec        json.RawMessage
	Options     json.RawMessage
	Parent      int64 // 0 for none
	Status      string
	Started     time.Time
	Finished    time.Time // zero while running
	Error       string
	Winner      string
	WinnerScore float64 // NaN when there is no winner
	// Owner is the process that runs (or ran) the run; Heartbeat is the
	// last time it said it was alive (zero before the first).
	Owner     Owner
	Heartbeat time.Time
}

// Unfinished reports whether the run did not end on its own or by its
// budget: it is still running, was interrupted, failed or abandoned.
func (r Run) Unfinished() bool {
	return r.Status != StatusFinished && r.Status != StatusBudget
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func jsonOr(raw json.RawMessage, def string) string {
	if len(raw) == 0 {
		return def
	}
	return string(raw)
}

// CreateRun inserts r as a running run and returns its id.
func (s *Store) CreateRun(ctx context.Context, r Run) (int64, error) {
	var parent any
	if r.Parent != 0 {
		parent = r.Parent
	}
	o := r.Owner
	if o == (Owner{}) {
		o = Self()
	}
	t := now()
	res, err := s.exec(ctx,
		`INSERT INTO runs (name, kind, task, strategy, spec, options, parent, status, started, owner_pid, owner_host, owner_start, heartbeat) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.Name, r.Kind, r.Task, r.Strategy, jsonOr(r.Spec, "{}"), jsonOr(r.Options, "{}"), parent, StatusRunning, t, o.PID, o.Host, o.Start, t)
	if err != nil {
		return 0, fmt.Errorf("creating %s run %q: %w", r.Kind, r.Name, err)
	}
	return res.LastInsertId()
}

// FinishRun records how run id ended. status is one of the Status…
// constants other than running; runErr may be nil.
func (s *Store) FinishRun(ctx context.Context, id int64, status string, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	_, err := s.exec(ctx, `UPDATE runs SET status=?, finished=?, error=? WHERE id=?`, status, now(), msg, id)
	if err != nil {
		return fmt.Errorf("finishing run %d: %w", id, err)
	}
	return nil
}

// ReopenRun makes run id running again, owned by this process, to
// continue it: it must be interrupted or abandoned, or still marked running
// by an owner that is gone. Everything it stored stays.
func (s *Store) ReopenRun(ctx context.Context, id int64) error {
	r, err := s.FindRun(ctx, strconv.FormatInt(id, 10), "")
	if err != nil {
		return err
	}
	switch r.Status {
	case StatusInterrupted, StatusAbandoned:
	case StatusRunning:
		if gone, known := r.Owner.gone(); !known || !gone {
			return fmt.Errorf("%s run %d (%s) is still running in %s: stop it there first (a run whose owner was killed on another host counts as abandoned after %v without a heartbeat)",
				r.Kind, r.ID, r.Name, r.Owner, StaleAfter)
		}
	default:
		return fmt.Errorf("%s run %d (%s) ended with status %s; only an interrupted or abandoned run can be continued", r.Kind, r.ID, r.Name, r.Status)
	}
	o := Self()
	t := now()
	_, err = s.exec(ctx, `UPDATE runs SET status=?, finished=NULL, error='', owner_pid=?, owner_host=?, owner_start=?, heartbeat=? WHERE id=? AND status=?`,
		StatusRunning, o.PID, o.Host, o.Start, t, id, r.Status)
	if err != nil {
		return fmt.Errorf("reopening run %d: %w", id, err)
	}
	return nil
}

// SetWinner records the run's current winner (updated as a search goes,
// so that an interrupted search still has one).
func (s *Store) SetWinner(ctx context.Context, id int64, arm string, score float64) error {
	_, err := s.exec(ctx, `UPDATE runs SET winner=?, winner_score=? WHERE id=?`, arm, nullFloat(score), id)
	if err != nil {
		return fmt.Errorf("setting winner of run %d: %w", id, err)
	}
	return nil
}

const runCols = `id, name, kind, task, strategy, spec, options, COALESCE(parent,0), status, started, COALESCE(finished,''), error, winner, winner_score, owner_pid, owner_host, owner_start, COALESCE(heartbeat,'')`

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// queryAll runs query and returns every row as scan reads it; errors say
// what was being done (what: "listing arms of run 3").
func queryAll[T any](ctx context.Context, s *Store, scan func(rowScanner) (T, error), what, query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func scanRun(sc rowScanner) (Run, error) {
	var r Run
	var spec, opts, started, finished, heartbeat string
	var ws sql.NullFloat64
	if err := sc.Scan(&r.ID, &r.Name, &r.Kind, &r.Task, &r.Strategy, &spec, &opts, &r.Parent, &r.Status, &started, &finished, &r.Error, &r.Winner, &ws,
		&r.Owner.PID, &r.Owner.Host, &r.Owner.Start, &heartbeat); err != nil {
		return r, err
	}
	r.Spec, r.Options = json.RawMessage(spec), json.RawMessage(opts)
	r.Started = parseTime(started)
	r.Finished = parseTime(finished)
	r.Heartbeat = parseTime(heartbeat)
	r.WinnerScore = fromNull(ws)
	return r, nil
}

// Runs lists runs, newest first. kind "" lists every kind; limit <= 0
// means all.
func (s *Store) Runs(ctx context.Context, kind string, limit int) ([]Run, error) {
	q := `SELECT ` + runCols + ` FROM runs`
	var args []any
	if kind != "" {
		q += ` WHERE kind=?`
		args = append(args, kind)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return queryAll(ctx, s, scanRun, "listing runs", q, args...)
}

// ErrNoRun is returned (wrapped) when a run reference matches nothing.
var ErrNoRun = errors.New("no such run")

// FindRun resolves ref: a run id ("12"), a run name (the newest run of that
// name), or "" (the newest run). kind "" matches any kind.
func (s *Store) FindRun(ctx context.Context, ref, kind string) (Run, error) {
	q := `SELECT ` + runCols + ` FROM runs WHERE 1=1`
	var args []any
	if kind != "" {
		q += ` AND kind=?`
		args = append(args, kind)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		q += ` AND id=?`
		args = append(args, id)
	} else if ref != "" {
		q += ` AND name=?`
		args = append(args, ref)
	}
	q += ` ORDER BY id DESC LIMIT 1`
	r, err := scanRun(s.db.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		what := "run"
		if kind != "" {
			what = kind + " run"
		}
		if ref == "" {
			return r, fmt.Errorf("%w: the store %s has no %s yet", ErrNoRun, s.path, what)
		}
		return r, fmt.Errorf("%w: no %s %q in %s (give a run id or name; %%runs lists them)", ErrNoRun, what, ref, s.path)
	}
	if err != nil {
		return r, fmt.Errorf("finding run %q: %w", ref, err)
	}
	return r, nil
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
