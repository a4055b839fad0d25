package cluster

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Embedded is the URL that makes Open start a server in this process.
const Embedded = "embedded"

// EmbeddedListen is where an embedded server listens when the port is
// free (another free loopback port otherwise).
const EmbeddedListen = "127.0.0.1:4222"

// ConnFromEnv is c with the URL url and the credentials named by the
// environment: SUPERSONIC_NATS_CREDS, SUPERSONIC_NATS_NKEY,
// SUPERSONIC_NATS_TLS_CERT, SUPERSONIC_NATS_TLS_KEY and
// SUPERSONIC_NATS_TLS_CA (the same as the worker's flags).
func ConnFromEnv(url string) Conn {
	return Conn{URL: url, Creds: os.Getenv("SUPERSONIC_NATS_CREDS"), NkeySeed: os.Getenv("SUPERSONIC_NATS_NKEY"),
		TLSCert: os.Getenv("SUPERSONIC_NATS_TLS_CERT"), TLSKey: os.Getenv("SUPERSONIC_NATS_TLS_KEY"), TLSCA: os.Getenv("SUPERSONIC_NATS_TLS_CA")}
}

// Open is what the magics' --nats flag does. A URL connects to that
// server with the credentials of ConnFromEnv. Embedded ("embedded")
// starts, in this process, a NATS server listening on loopback only
// (EmbeddedListen when free) and a worker with one slot per core, and
// prints the command that adds workers on this machine; Close stops both.
func Open(ctx context.Context, url string, o Options) (*Executor, error) {
	if url != Embedded {
		return Dial(ctx, ConnFromEnv(url), o)
	}
	srv, err := StartServer(ServerOptions{Listen: EmbeddedListen})
	if err != nil {
		if srv, err = StartServer(ServerOptions{Listen: "127.0.0.1:0"}); err != nil {
			return nil, err
		}
	}
	e, err := Dial(ctx, Conn{URL: srv.URL()}, o)
	if err != nil {
		srv.Close()
		return nil, err
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		host, _ := os.Hostname()
		_ = Serve(wctx, e.nc, WorkerOptions{Name: fmt.Sprintf("%s-%d-embedded", host, os.Getpid()), Concurrency: runtime.NumCPU()})
	}()
	e.closers = append(e.closers, func() { stop(); <-done }, e.nc.Close, srv.Close)
	fmt.Fprintf(os.Stderr, "NATS JetStream embedded at %s (loopback only) with a worker of %d slots; add workers on this machine with:\n  supersonic worker --nats %s\n",
		srv.URL(), runtime.NumCPU(), srv.URL())
	return e, nil
}

// ListWorkers connects to url (credentials from the environment, see
// ConnFromEnv) and lists the workers that answer within a second.
func ListWorkers(ctx context.Context, url string) ([]WorkerInfo, error) {
	nc, err := ConnFromEnv(url).Connect()
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	return Workers(ctx, nc, time.Second)
}
