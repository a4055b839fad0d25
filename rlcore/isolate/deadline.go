package isolate

import (
	"context"
	"time"
)

type callDeadlineKey struct{}
type callTimeoutKey struct{}

// WithCallDeadline returns a context under which every worker call must
// end by t: a call still running at t has its worker killed and fails with
// ErrTimeout (costing that call, one episode), while ctx itself stays live
// so the caller can stop cleanly and keep its best result so far. Searches
// set it from their wall-clock budget. Nested deadlines: the earliest
// wins.
func WithCallDeadline(ctx context.Context, t time.Time) context.Context {
	if old, ok := ctx.Value(callDeadlineKey{}).(time.Time); ok && old.Before(t) {
		return ctx
	}
	return context.WithValue(ctx, callDeadlineKey{}, t)
}

// WithCallTimeout returns a context under which each worker call may run
// for d, instead of the pool's Config.CallTimeout (for work known to be
// long, such as a reference compilation at -O3); d ≤ 0 means no per-call
// limit. Deadlines (the context's own and WithCallDeadline's) still apply.
func WithCallTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, callTimeoutKey{}, d)
}

// callLimit is the instant a call started now must end by (zero: none),
// and the timeout in words for the error.
func callLimit(ctx context.Context, now time.Time, def time.Duration) (time.Time, time.Duration) {
	d := def
	if v, ok := ctx.Value(callTimeoutKey{}).(time.Duration); ok {
		d = v
	}
	var t time.Time
	if d > 0 {
		t = now.Add(d)
	}
	if dl, ok := ctx.Value(callDeadlineKey{}).(time.Time); ok && (t.IsZero() || dl.Before(t)) {
		t = dl
	}
	return t, d
}

// CallDeadline reports the deadline WithCallDeadline set on ctx.
func CallDeadline(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(callDeadlineKey{}).(time.Time)
	return t, ok
}
