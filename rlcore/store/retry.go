package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long SQLite itself waits for another connection's
// lock before a statement fails with SQLITE_BUSY (PRAGMA busy_timeout).
var busyTimeout = 10 * time.Second

// Backoff between the attempts of a write that found the file locked: it
// starts at retryFirst and doubles up to retryMax.
var (
	retryFirst = 50 * time.Millisecond
	retryMax   = 2 * time.Second
)

// isBusy reports whether err is SQLite's "database is locked" (another
// connection holds the lock) or "table is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff // the primary result code of an extended one
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// retry runs f until it succeeds, fails with an error other than a busy
// one, or ctx ends. Each attempt already waits busyTimeout inside SQLite;
// between attempts it backs off. A write therefore waits for another
// client's lock as long as its context allows instead of being dropped.
func retry(ctx context.Context, f func() error) error {
	start := time.Now()
	wait := retryFirst
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !isBusy(err) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (the run store stayed locked by another connection for %v, %d attempts)", err, time.Since(start).Round(time.Millisecond), attempt)
		case <-t.C:
		}
		wait = min(2*wait, retryMax)
	}
}

// exec runs one statement, retrying while the file is locked.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := retry(ctx, func() error {
		var err error
		res, err = s.db.ExecContext(ctx, q, args...)
		return err
	})
	return res, err
}

// inTx runs f in a transaction and commits it, retrying the whole
// transaction while the file is locked.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	return retry(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := f(tx); err != nil {
			return err
		}
		return tx.Commit()
	})
}
