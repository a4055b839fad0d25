package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// WorkerOptions configure Serve. Zero values mean the documented defaults.
type WorkerOptions struct {
	// Name identifies the worker in results, the live view and `%supersonic
	// workers`; default HOST-PID.
	Name string
	// Concurrency is how many jobs run at once; default runtime.NumCPU().
	Concurrency int
	// CacheDir keeps benchmark files fetched from the object store;
	// default the user cache folder's supersonic/benchmarks.
	CacheDir string
	Logger   *slog.Logger
}

// WorkerInfo is what a worker says about itself (see Workers).
type WorkerInfo struct {
	Name        string
	Host        string
	PID         int
	Tasks       []string
	Concurrency int
	Busy        int
	Done        int64
	Running     []string // job ids
	Started     time.Time
}

// Serve runs jobs from the work queue until ctx is cancelled: it takes a
// job when one of its Concurrency slots is free, reports progress while
// training (which also tells JetStream that the job is alive), publishes
// the result and acknowledges the job. Jobs still running when ctx ends
// are handed back to the queue for another worker.
//
// A worker runs the tasks and components registered in its own binary
// (import rlcore/all for the built-in ones, plus a package or init
// function of your own for anything written in a notebook cell); a job
// that names anything else is refused with the list of what it has.
func Serve(ctx context.Context, nc *nats.Conn, o WorkerOptions) error {
	w, err := newWorker(ctx, nc, o)
	if err != nil {
		return err
	}
	return w.serve(ctx)
}

type worker struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	cons jetstream.Consumer
	opt  WorkerOptions
	log  *slog.Logger
	info WorkerInfo

	mu       sync.Mutex
	running  map[string]context.CancelCauseFunc // job id → cancel
	problems map[string]*problemOnce
	objects  jetstream.ObjectStore
	busy     atomic.Int32
	done     atomic.Int64
}

type problemOnce struct {
	once sync.Once
	p    rlcore.Problem
	err  error
}

func newWorker(ctx context.Context, nc *nats.Conn, o WorkerOptions) (*worker, error) {
	host, _ := os.Hostname()
	if o.Name == "" {
		o.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if o.Concurrency <= 0 {
		o.Concurrency = runtime.NumCPU()
	}
	if o.CacheDir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			d = os.TempDir()
		}
		o.CacheDir = filepath.Join(d, "supersonic", "benchmarks")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &worker{nc: nc, opt: o, log: o.Logger.With("worker", o.Name), running: map[string]context.CancelCauseFunc{}, problems: map[string]*problemOnce{}}
	for _, t := range rlcore.List(rlcore.KindTask, "") {
		w.info.Tasks = append(w.info.Tasks, t.Name)
	}
	w.info.Name, w.info.Host, w.info.PID, w.info.Concurrency, w.info.Started = o.Name, host, os.Getpid(), o.Concurrency, time.Now()
	var err error
	if w.js, err = jetstream.New(nc); err != nil {
		return nil, err
	}
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		if w.cons, err = ensureStreams(ctx, w.js, 0); err == nil {
			break
		}
		w.log.Warn("cluster: waiting for JetStream", "err", err)
		if sleepCtx(ctx, wait) != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *worker) serve(ctx context.Context) error {
	cancelSub, err := w.nc.Subscribe(cancelSubject+"*", func(m *nats.Msg) {
		w.mu.Lock()
		cancel := w.running[string(m.Data)]
		w.mu.Unlock()
		if cancel != nil {
			cancel(errors.New("the coordinator cancelled the job"))
		}
	})
	if err != nil {
		return fmt.Errorf("subscribing to cancellations: %w", err)
	}
	defer cancelSub.Unsubscribe()
	pingSub, err := w.nc.Subscribe(pingSubject, func(m *nats.Msg) {
		data, _ := json.Marshal(w.status())
		_ = m.Respond(data)
	})
	if err != nil {
		return fmt.Errorf("answering %s: %w", pingSubject, err)
	}
	defer pingSub.Unsubscribe()
	w.log.Info("worker ready", "tasks", strings.Join(w.info.Tasks, ","), "concurrency", w.opt.Concurrency, "server", w.nc.ConnectedUrlRedacted())
	free := make(chan struct{}, w.opt.Concurrency) // a token per free slot
	jobs := make(chan jetstream.Msg)
	var wg sync.WaitGroup
	for range w.opt.Concurrency {
		free <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for msg := range jobs {
				w.busy.Add(1)
				w.handle(ctx, msg)
				w.busy.Add(-1)
				free <- struct{}{}
			}
		}()
	}
	w.fetch(ctx, free, jobs)
	close(jobs)
	wg.Wait()
	return nil
}

// fetch asks for as many jobs as there are free slots, one request for
// all of them, so that a worker never holds a job it is not running (a
// held job's ack wait would run out while it waits).
func (w *worker) fetch(ctx context.Context, free chan struct{}, jobs chan<- jetstream.Msg) {
	for {
		select {
		case <-free:
		case <-ctx.Done():
			return
		}
		n := 1
	more:
		for {
			select {
			case <-free:
				n++
			default:
				break more
			}
		}
		got := 0
		batch, err := w.cons.Fetch(n, jetstream.FetchMaxWait(2*time.Second))
		if err == nil {
			for msg := range batch.Messages() {
				got++
				jobs <- msg
			}
			err = batch.Error()
		}
		for range n - got {
			free <- struct{}{}
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) && got == 0 {
			_ = sleepCtx(ctx, 250*time.Millisecond) // the server is away: try again
		}
	}
}

func (w *worker) status() WorkerInfo {
	i := w.info
	i.Busy, i.Done = int(w.busy.Load()), w.done.Load()
	w.mu.Lock()
	i.Running = slices.Sorted(maps.Keys(w.running))
	w.mu.Unlock()
	return i
}

func (w *worker) handle(ctx context.Context, msg jetstream.Msg) {
	var jm jobMsg
	if err := decode(msg.Data(), &jm); err != nil {
		w.log.Error("cluster: unreadable job; dropped", "subject", msg.Subject(), "err", err)
		_ = msg.TermWithReason("unreadable job")
		return
	}
	j := jm.Job
	attempt := 1
	if md, err := msg.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	res := &resultMsg{JobID: j.ID, Worker: w.opt.Name, Attempt: attempt}
	if jm.MaxAttempts > 0 && attempt > jm.MaxAttempts {
		res.Refused = fmt.Sprintf("job was delivered %d times and no worker finished it (each one stopped, crashed or was killed while running it)", attempt-1)
		w.finish(ctx, msg, jm, res)
		return
	}
	if err := j.Check(); err != nil {
		res.Refused = fmt.Sprintf("this worker (tasks: %s) cannot run it: %v; a worker runs only the tasks and components compiled into it — code from notebook cells does not reach it (see `supersonic worker --help`)",
			strings.Join(w.info.Tasks, ", "), err)
		w.finish(ctx, msg, jm, res)
		return
	}
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w.mu.Lock()
	w.running[j.ID] = cancel
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, j.ID)
		w.mu.Unlock()
	}()
	alive := make(chan struct{})
	defer close(alive)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-alive:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	local, back, err := w.fetchFiles(jobCtx, jm.Files)
	if err != nil {
		res.Refused = err.Error()
		w.finish(ctx, msg, jm, res)
		return
	}
	for i, b := range j.Benchmarks {
		if l, ok := local[b]; ok {
			j.Benchmarks[i] = l
		}
	}
	p, err := w.problem(jobCtx, j.Task, j.TaskOptions, j.TaskSeed)
	if err != nil {
		res.Refused = err.Error()
		w.finish(ctx, msg, jm, res)
		return
	}
	var obs rlcore.Observer
	if !jm.Quiet {
		events := eventsSubject + jm.Session
		obs = func(e rlcore.Event) {
			e.Benchmark = rename(back, e.Benchmark)
			if data, err := encode(eventMsg{JobID: j.ID, Worker: w.opt.Name, Event: toWireEvent(e)}); err == nil {
				_ = w.nc.Publish(events, data)
			}
		}
	}
	r := search.RunJob(jobCtx, p, j, obs)
	w.mu.Lock()
	delete(w.running, j.ID) // trained: what is left is sending the result
	w.mu.Unlock()
	if ctx.Err() != nil {
		// This worker is stopping: hand the job back for another one.
		_ = msg.Nak()
		return
	}
	if r.Pull != nil {
		renamePull(r.Pull, back)
		if res.Pull, err = toWirePull(r.Pull); err != nil {
			res.Pull.Err = fmt.Sprintf("%s; encoding the trained policy: %v", res.Pull.Err, err)
		}
	}
	if r.Deployment != nil {
		r.Deployment.Benchmark = rename(back, r.Deployment.Benchmark)
		renameResult(r.Deployment.Result, back)
		if res.Deployment, err = toWireDeployment(r.Deployment); err != nil {
			res.Deployment.Err = fmt.Sprintf("%s; encoding the trained policy: %v", res.Deployment.Err, err)
		}
	}
	w.done.Add(1)
	w.finish(ctx, msg, jm, res)
}

// finish publishes the result (retrying while the server is away), then
// acknowledges the job: a worker that dies in between leaves a job that
// is redone, and the coordinator counts its result once.
func (w *worker) finish(ctx context.Context, msg jetstream.Msg, jm jobMsg, res *resultMsg) {
	data, err := encode(res)
	if err != nil {
		w.log.Error("cluster: encoding a result", "job", res.JobID, "err", err)
		_ = msg.Nak()
		return
	}
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		_, err := w.js.Publish(ctx, resultsSubject+jm.Session, data, jetstream.WithMsgID(res.JobID), jetstream.WithExpectStream(resultsStream))
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			_ = msg.Nak()
			return
		}
		w.log.Warn("cluster: publishing a result failed; retrying", "job", res.JobID, "err", err)
		if sleepCtx(ctx, wait) != nil {
			_ = msg.Nak()
			return
		}
	}
	if err := msg.Ack(); err != nil {
		w.log.Warn("cluster: acknowledging a job", "job", res.JobID, "err", err)
	}
}

// problem opens each task (with its options and seed) once and shares it
// between jobs, as the local pool shares the phase's problem.
func (w *worker) problem(ctx context.Context, task string, opts map[string]string, seed int64) (rlcore.Problem, error) {
	keys := slices.Sorted(maps.Keys(opts))
	key := fmt.Sprintf("%s\x00seed=%d", task, seed)
	for _, k := range keys {
		key += "\x00" + k + "=" + opts[k]
	}
	w.mu.Lock()
	po, ok := w.problems[key]
	if !ok {
		po = &problemOnce{}
		w.problems[key] = po
	}
	w.mu.Unlock()
	po.once.Do(func() {
		po.p, po.err = rlcore.OpenTask(context.WithoutCancel(ctx), task, opts, seed, nil)
	})
	if po.err != nil {
		w.mu.Lock()
		delete(w.problems, key) // try again with the next job
		w.mu.Unlock()
	}
	return po.p, po.err
}

// fetchFiles materializes the job's benchmark files from the object store
// in the cache, named by content; it returns original → local and back.
func (w *worker) fetchFiles(ctx context.Context, files map[string]string) (local, back map[string]string, err error) {
	if len(files) == 0 {
		return nil, nil, nil
	}
	local, back = map[string]string{}, map[string]string{}
	for orig, sum := range files {
		path := filepath.Join(w.opt.CacheDir, sum, filepath.Base(orig))
		if _, err := os.Stat(path); err != nil {
			w.mu.Lock()
			ob := w.objects
			w.mu.Unlock()
			if ob == nil {
				if ob, err = benchmarks(ctx, w.js); err != nil {
					return nil, nil, err
				}
				w.mu.Lock()
				w.objects = ob
				w.mu.Unlock()
			}
			data, err := ob.GetBytes(ctx, sum)
			if err != nil {
				return nil, nil, fmt.Errorf("fetching benchmark %s (sha256 %s) from the object store: %w", orig, sum, err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, nil, err
			}
			tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
			if err := os.WriteFile(tmp, data, 0o644); err != nil {
				return nil, nil, err
			}
			if err := os.Rename(tmp, path); err != nil {
				return nil, nil, err
			}
		}
		local[orig], back[path] = path, orig
	}
	return local, back, nil
}

func rename(back map[string]string, b string) string {
	if o, ok := back[b]; ok {
		return o
	}
	return b
}

func renamePull(p *search.PullResult, back map[string]string) {
	if len(back) == 0 {
		return
	}
	per := map[string]float64{}
	for b, q := range p.PerBenchmark {
		per[rename(back, b)] = q
	}
	p.PerBenchmark = per
	renameResult(p.Result, back)
}

func renameResult(r *rlcore.Result, back map[string]string) {
	if r == nil || len(back) == 0 {
		return
	}
	r.Best.Benchmark = rename(back, r.Best.Benchmark)
	per := map[string]rlcore.EpisodeRecord{}
	for b, e := range r.PerBenchmark {
		e.Benchmark = rename(back, e.Benchmark)
		per[rename(back, b)] = e
	}
	r.PerBenchmark = per
}

// Workers asks every connected worker about itself, waiting up to wait
// for the answers.
func Workers(ctx context.Context, nc *nats.Conn, wait time.Duration) ([]WorkerInfo, error) {
	inbox := nats.NewInbox()
	ch := make(chan *nats.Msg, 256)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest(pingSubject, inbox, nil); err != nil {
		return nil, fmt.Errorf("asking the workers: %w", err)
	}
	if err := nc.Flush(); err != nil {
		return nil, fmt.Errorf("asking the workers: %w", err)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	var out []WorkerInfo
	for {
		select {
		case m := <-ch:
			var i WorkerInfo
			if json.Unmarshal(m.Data, &i) == nil {
				out = append(out, i)
			}
		case <-t.C:
			slices.SortFunc(out, func(a, b WorkerInfo) int { return strings.Compare(a.Name, b.Name) })
			return out, nil
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}

// Capacity is the number of job slots of the connected workers (0 when
// none answers within half a second).
func (e *Executor) Capacity(ctx context.Context) int {
	ws, _ := Workers(ctx, e.nc, 500*time.Millisecond)
	n := 0
	for _, w := range ws {
		n += w.Concurrency
	}
	return n
}

// Workers lists the connected workers.
func (e *Executor) Workers(ctx context.Context) ([]WorkerInfo, error) {
	return Workers(ctx, e.nc, 500*time.Millisecond)
}

// WorkersTable renders workers as a text table.
func WorkersTable(ws []WorkerInfo) string {
	if len(ws) == 0 {
		return "no worker answered\n"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-24s %-16s %7s %5s %6s  %s\n", "worker", "host", "slots", "busy", "done", "tasks")
	for _, w := range ws {
		fmt.Fprintf(&sb, "%-24s %-16s %7d %5d %6d  %s\n", w.Name, w.Host, w.Concurrency, w.Busy, w.Done, strings.Join(w.Tasks, ","))
	}
	return sb.String()
}
