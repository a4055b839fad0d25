package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// Options configure an Executor. Zero values mean the documented
// defaults.
type Options struct {
	// Session names the results subject of jobs that do not name their
	// run (search.Job.Run is empty); default a fresh random name. Jobs
	// that name it (every phase's do) have their results on a subject of
	// that run: a search continued after its coordinator died
	// (search.Options.Resume) gets the results of the jobs that finished
	// while it was away, whatever the session.
	Session string
	// AckWait is how long a job may go without a sign of life from its
	// worker before it is given to another; default DefaultAckWait.
	AckWait time.Duration
	// MaxAttempts is how many deliveries a job gets; default
	// DefaultMaxAttempts.
	MaxAttempts int
	// CancelGrace is how long Run waits, once its context is cancelled,
	// for the worker's interrupted result (the best found so far); default
	// 5s.
	CancelGrace time.Duration
	Logger      *slog.Logger
}

// Executor is a search.Executor that puts each job on the JetStream work
// queue and waits for a worker's result. It is the coordinator's side:
// the phase that calls Run alone writes the run store.
type Executor struct {
	nc      *nats.Conn
	ownConn bool
	js      jetstream.JetStream
	opt     Options
	log     *slog.Logger

	mu      sync.Mutex
	follows map[string]*follower // by results token (see token)
	waiting map[string]*waiter
	early   map[string]*resultMsg // results that arrived before their Run (a resumed run)
	counted map[string]bool       // job ids whose result was delivered: each is counted once
	hashes  map[string]fileHash
	objects jetstream.ObjectStore
	closers []func() // an embedded worker and server, stopped by Close after the connection
}

// follower reads the results and training events of one run's jobs.
type follower struct {
	ready   chan struct{} // closed once started (err set) and caught up
	err     error
	results jetstream.ConsumeContext
	events  *nats.Subscription
}

type waiter struct {
	ch  chan *resultMsg
	obs rlcore.Observer
}

type fileHash struct {
	size    int64
	modTime time.Time
	sum     string
}

// Dial connects to NATS with c and returns an Executor that owns the
// connection.
func Dial(ctx context.Context, c Conn, o Options) (*Executor, error) {
	if c.Name == "" {
		c.Name = "supersonic coordinator"
	}
	nc, err := c.Connect()
	if err != nil {
		return nil, err
	}
	e, err := New(ctx, nc, o)
	if err != nil {
		nc.Close()
		return nil, err
	}
	e.ownConn = true
	return e, nil
}

// New returns an Executor on an open connection: it creates the streams
// and the consumer if needed and starts reading its session's results.
func New(ctx context.Context, nc *nats.Conn, o Options) (*Executor, error) {
	if o.Session == "" {
		o.Session = nuid.Next()
	}
	if o.AckWait <= 0 {
		o.AckWait = DefaultAckWait
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.CancelGrace <= 0 {
		o.CancelGrace = 5 * time.Second
	}
	e := &Executor{nc: nc, opt: o, log: o.Logger, follows: map[string]*follower{}, waiting: map[string]*waiter{}, early: map[string]*resultMsg{},
		counted: map[string]bool{}, hashes: map[string]fileHash{}}
	if e.log == nil {
		e.log = slog.Default()
	}
	var err error
	if e.js, err = jetstream.New(nc); err != nil {
		return nil, err
	}
	if _, err := ensureStreams(ctx, e.js, o.AckWait); err != nil {
		return nil, err
	}
	return e, nil
}

// token is the subject token of j's results and events: a hash of its
// run (a run's name may hold characters a subject cannot), or the
// session for a job that names no run.
func (e *Executor) token(j search.Job) string {
	if j.Run == "" {
		return e.opt.Session
	}
	sum := sha256.Sum256([]byte(j.Run))
	return "run-" + hex.EncodeToString(sum[:12])
}

// follow starts reading the results and events on token's subjects, once
// per token, and waits until the results already in the stream (those of
// a resumed run's jobs that finished while no coordinator ran) are read.
func (e *Executor) follow(ctx context.Context, token string) error {
	e.mu.Lock()
	f, ok := e.follows[token]
	if !ok {
		f = &follower{ready: make(chan struct{})}
		e.follows[token] = f
	}
	e.mu.Unlock()
	if !ok {
		f.err = e.startFollowing(ctx, token, f)
		if f.err != nil {
			e.mu.Lock()
			delete(e.follows, token) // the next Run tries again
			e.mu.Unlock()
		}
		close(f.ready)
	}
	select {
	case <-f.ready:
		return f.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// catchUpWait bounds the wait for the results already in the stream.
const catchUpWait = 30 * time.Second

func (e *Executor) startFollowing(ctx context.Context, token string, f *follower) error {
	subject := resultsSubject + token
	stream, err := e.js.Stream(ctx, resultsStream)
	if err != nil {
		return fmt.Errorf("results stream: %w", err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		return fmt.Errorf("results stream: %w", err)
	}
	stored := info.State.Subjects[subject]
	var read atomic.Uint64
	caughtUp := make(chan struct{})
	var once sync.Once
	if stored == 0 {
		once.Do(func() { close(caughtUp) })
	}
	rc, err := e.js.OrderedConsumer(ctx, resultsStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	if f.results, err = rc.Consume(func(m jetstream.Msg) {
		e.onResult(m)
		if read.Add(1) >= stored {
			once.Do(func() { close(caughtUp) })
		}
	}); err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	if f.events, err = e.nc.Subscribe(eventsSubject+token, e.onEvent); err != nil {
		f.results.Stop()
		return fmt.Errorf("subscribing to training events: %w", err)
	}
	t := time.NewTimer(catchUpWait)
	defer t.Stop()
	select {
	case <-caughtUp:
	case <-t.C:
		e.log.Warn("cluster: the results already stored were not all read in time; going on", "subject", subject, "stored", stored, "read", read.Load())
	case <-ctx.Done():
	}
	return nil
}

// Session is the name of this coordinator's results subject.
func (e *Executor) Session() string { return e.opt.Session }

// Close stops reading results and closes the connection if Dial opened
// it (and an embedded server, if Open started one).
func (e *Executor) Close() {
	e.mu.Lock()
	fs := e.follows
	e.follows = map[string]*follower{}
	e.mu.Unlock()
	for _, f := range fs {
		<-f.ready
		if f.err == nil {
			f.results.Stop()
			f.events.Unsubscribe()
		}
	}
	for _, c := range e.closers {
		c()
	}
	if e.ownConn {
		e.nc.Close()
	}
}

func (e *Executor) onResult(m jetstream.Msg) {
	var r resultMsg
	if err := decode(m.Data(), &r); err != nil {
		e.log.Warn("cluster: unreadable result", "subject", m.Subject(), "err", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.counted[r.JobID] {
		return // a second delivery of a job that was redone: counted once
	}
	if w, ok := e.waiting[r.JobID]; ok {
		e.counted[r.JobID] = true
		delete(e.waiting, r.JobID)
		w.ch <- &r
		return
	}
	if _, ok := e.early[r.JobID]; !ok {
		e.early[r.JobID] = &r
	}
}

func (e *Executor) onEvent(m *nats.Msg) {
	var ev eventMsg
	if decode(m.Data, &ev) != nil {
		return
	}
	e.mu.Lock()
	w := e.waiting[ev.JobID]
	e.mu.Unlock()
	if w != nil && w.obs != nil {
		e := ev.Event.event()
		e.Worker = ev.Worker
		w.obs(e)
	}
}

// Run puts j on the work queue and returns the worker's result. When ctx
// is cancelled it withdraws a job no worker has taken, asks the worker of
// a running one to stop, and returns the interrupted result (the best so
// far) — or, after CancelGrace, an interrupted result without one.
func (e *Executor) Run(ctx context.Context, j search.Job, obs rlcore.Observer) *search.JobResult {
	token := e.token(j)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := e.follow(ctx, token)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return failed(j, context.Cause(ctx), true)
		}
		e.log.Warn("cluster: reading results failed; retrying", "job", j.ID, "err", err)
		if sleepCtx(ctx, wait) != nil {
			return failed(j, context.Cause(ctx), true)
		}
	}
	w := &waiter{ch: make(chan *resultMsg, 1), obs: obs}
	e.mu.Lock()
	if r, ok := e.early[j.ID]; ok && !e.counted[j.ID] {
		delete(e.early, j.ID)
		e.counted[j.ID] = true
		e.mu.Unlock()
		return e.jobResult(j, r)
	}
	e.waiting[j.ID] = w
	e.mu.Unlock()
	seq, dup, err := e.publish(ctx, j, token, j.ID, obs == nil)
	if err == nil && dup && !e.queued(ctx, seq) {
		// A resumed run's job, queued by the coordinator that died and no
		// longer on the queue: a worker finished it (its result is on the
		// way) or it was withdrawn. Wait a little for the result, then
		// queue it again under a fresh message id.
		t := time.NewTimer(orphanWait)
		select {
		case r := <-w.ch:
			t.Stop()
			return e.jobResult(j, r)
		case <-t.C:
			seq, _, err = e.publish(ctx, j, token, j.ID+"."+nuid.Next(), obs == nil)
		case <-ctx.Done():
			t.Stop()
		}
	}
	if err != nil {
		e.forget(j.ID)
		return failed(j, err, ctx.Err() != nil)
	}
	select {
	case r := <-w.ch:
		return e.jobResult(j, r)
	case <-ctx.Done():
	}
	e.withdraw(j, seq)
	t := time.NewTimer(e.opt.CancelGrace)
	defer t.Stop()
	select {
	case r := <-w.ch:
		return e.jobResult(j, r)
	case <-t.C:
		e.forget(j.ID)
		return failed(j, context.Cause(ctx), true)
	}
}

func (e *Executor) forget(id string) {
	e.mu.Lock()
	delete(e.waiting, id)
	e.mu.Unlock()
}

// orphanWait is how long Run waits for the result of a resumed run's job
// that is no longer on the queue before queueing it again.
const orphanWait = 3 * time.Second

// publish puts the job on the queue under message id msgID (quiet: with
// no training events to send back), retrying
// while the server is away, and returns its stream sequence. A message id
// queued in the last ten minutes (a resumed run's job) is not added
// twice: dup says so, and seq is the first one's.
func (e *Executor) publish(ctx context.Context, j search.Job, token, msgID string, quiet bool) (seq uint64, dup bool, err error) {
	files, err := e.upload(ctx, j.Benchmarks)
	if err != nil {
		return 0, false, err
	}
	data, err := encode(jobMsg{Job: j, Session: token, Files: files, MaxAttempts: e.opt.MaxAttempts, Quiet: quiet})
	if err != nil {
		return 0, false, fmt.Errorf("encoding job %s: %w", j.ID, err)
	}
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		ack, err := e.js.Publish(ctx, jobsSubject+j.Task, data, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(jobsStream))
		if err == nil {
			return ack.Sequence, ack.Duplicate, nil
		}
		if ctx.Err() != nil {
			return 0, false, context.Cause(ctx)
		}
		e.log.Warn("cluster: queueing a job failed; retrying", "job", j.ID, "err", err)
		if sleepCtx(ctx, wait) != nil {
			return 0, false, context.Cause(ctx)
		}
	}
}

// queued reports whether message seq is still on the work queue (waiting
// or running: a work queue drops a job when its worker acknowledges it).
func (e *Executor) queued(ctx context.Context, seq uint64) bool {
	s, err := e.js.Stream(ctx, jobsStream)
	if err != nil {
		return true // cannot tell: wait for the result
	}
	_, err = s.GetMsg(ctx, seq)
	return !errors.Is(err, jetstream.ErrMsgNotFound)
}

// withdraw removes a job no worker has taken yet and tells the worker of
// a running one to stop.
func (e *Executor) withdraw(j search.Job, seq uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s, err := e.js.Stream(ctx, jobsStream); err == nil {
		_ = s.DeleteMsg(ctx, seq) // fails when a worker already acked it
	}
	_ = e.nc.Publish(cancelSubject+e.opt.Session, []byte(j.ID))
}

// upload puts the benchmarks that are files here into the object store
// (once per content) and returns their hashes.
func (e *Executor) upload(ctx context.Context, benches []string) (map[string]string, error) {
	var files map[string]string
	for _, b := range benches {
		st, err := os.Stat(b)
		if err != nil || !st.Mode().IsRegular() {
			continue // a benchmark the task names (builtin:…, csmith:…), resolved by the worker
		}
		e.mu.Lock()
		h, ok := e.hashes[b]
		e.mu.Unlock()
		if !ok || h.size != st.Size() || !h.modTime.Equal(st.ModTime()) {
			data, err := os.ReadFile(b)
			if err != nil {
				return nil, fmt.Errorf("reading benchmark %s: %w", b, err)
			}
			sum := sha256.Sum256(data)
			h = fileHash{size: st.Size(), modTime: st.ModTime(), sum: hex.EncodeToString(sum[:])}
			if err := e.put(ctx, h.sum, data); err != nil {
				return nil, fmt.Errorf("shipping benchmark %s: %w", b, err)
			}
			e.mu.Lock()
			e.hashes[b] = h
			e.mu.Unlock()
		}
		if files == nil {
			files = map[string]string{}
		}
		files[b] = h.sum
	}
	return files, nil
}

func (e *Executor) put(ctx context.Context, sum string, data []byte) error {
	e.mu.Lock()
	ob := e.objects
	e.mu.Unlock()
	if ob == nil {
		var err error
		if ob, err = benchmarks(ctx, e.js); err != nil {
			return err
		}
		e.mu.Lock()
		e.objects = ob
		e.mu.Unlock()
	}
	if _, err := ob.GetInfo(ctx, sum); err == nil {
		return nil
	} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
		return err
	}
	_, err := ob.PutBytes(ctx, sum, data)
	return err
}

func (e *Executor) jobResult(j search.Job, r *resultMsg) *search.JobResult {
	out := &search.JobResult{Runner: r.Worker}
	switch {
	case r.Refused != "":
		f := failed(j, fmt.Errorf("worker %s refused job %s: %s", r.Worker, j.ID, r.Refused), false)
		f.Runner = r.Worker
		return f
	case r.Pull != nil:
		out.Pull = r.Pull.pull()
	case r.Deployment != nil:
		out.Deployment = r.Deployment.deployment()
	default:
		f := failed(j, fmt.Errorf("worker %s sent an empty result for job %s", r.Worker, j.ID), false)
		f.Runner = r.Worker
		return f
	}
	return out
}

// failed is the result of a job that did not run (interrupted: it was
// cancelled).
func failed(j search.Job, err error, interrupted bool) *search.JobResult {
	status := store.PullFailed
	if interrupted {
		status = store.PullInterrupted
	}
	if j.Kind == search.JobDeploy {
		d := &search.Deployment{Arm: j.Arm, Hyper: j.Hyper, Quality: math.NaN(), Err: err}
		if len(j.Benchmarks) > 0 {
			d.Benchmark = j.Benchmarks[0]
		}
		return &search.JobResult{Deployment: d}
	}
	return &search.JobResult{Pull: &search.PullResult{Seq: j.Seq, ArmIndex: j.ArmIndex, Arm: j.Arm, Seed: j.Seed, Hyper: j.Hyper, Budget: j.Budget,
		Rung: j.Rung, Score: math.NaN(), Status: status, Err: err, Started: time.Now()}}
}
