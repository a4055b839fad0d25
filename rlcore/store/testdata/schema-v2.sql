CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('search','tune','deploy','compare')),
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
	created TEXT NOT NULL
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
	error TEXT NOT NULL DEFAULT ''
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
