package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/supersonic-rl/supersonic/rlcore/all" // the built-in tasks, components and algorithms a worker serves
	"github.com/supersonic-rl/supersonic/rlcore/search/cluster"
)

const workerUsage = `usage: supersonic worker --nats URL [--creds FILE] [--nkey FILE] [--tls-cert FILE --tls-key FILE] [--tls-ca FILE] [--concurrency N] [--name NAME]

Runs the jobs (search pulls, tuning trials, deployments, comparison runs) that
coordinators put on the NATS JetStream work queue at URL, N at a time.
It serves the built-in tasks, components and algorithms (rlcore/all); code
written in notebook cells does not reach it — see the README, "Many machines".`

// connFlags are the connection flags of worker, workers and nats.
func connFlags(fs *flag.FlagSet) *cluster.Conn {
	c := &cluster.Conn{}
	fs.StringVar(&c.URL, "nats", "", "NATS server URL, e.g. nats://10.0.0.5:4222 (required)")
	fs.StringVar(&c.Creds, "creds", "", "NATS credentials file (user JWT and nkey seed)")
	fs.StringVar(&c.NkeySeed, "nkey", "", "file holding a user nkey seed (SU…)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "client certificate (mutual TLS)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "the client certificate's key")
	fs.StringVar(&c.TLSCA, "tls-ca", "", "CA bundle to check the server's certificate with")
	return c
}

func runWorker(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), workerUsage); fs.PrintDefaults() }
	c := connFlags(fs)
	var o cluster.WorkerOptions
	fs.IntVar(&o.Concurrency, "concurrency", 0, "jobs run at once (default: the number of CPUs)")
	fs.StringVar(&o.Name, "name", "", "this worker's name (default HOST-PID)")
	fs.StringVar(&o.CacheDir, "cache", "", "folder for benchmark files fetched from the object store")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.URL == "" {
		return errors.New("worker: --nats URL is required, e.g. --nats nats://127.0.0.1:4222")
	}
	if o.Concurrency < 0 {
		return fmt.Errorf("worker: --concurrency %d: want 1 or more (0: the number of CPUs)", o.Concurrency)
	}
	c.Name = "supersonic worker " + o.Name
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	nc, err := c.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	return cluster.Serve(ctx, nc, o)
}

func runWorkers(args []string) error {
	fs := flag.NewFlagSet("workers", flag.ContinueOnError)
	c := connFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.URL == "" && fs.NArg() == 1 {
		c.URL = fs.Arg(0)
	}
	nc, err := c.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	ws, err := cluster.Workers(context.Background(), nc, time.Second)
	if err != nil {
		return err
	}
	fmt.Print(cluster.WorkersTable(ws))
	return nil
}

func runNATS(args []string) error {
	fs := flag.NewFlagSet("nats", flag.ContinueOnError)
	var o cluster.ServerOptions
	fs.StringVar(&o.Listen, "listen", "", "HOST:PORT to listen on (default 127.0.0.1:4222; another host exposes the server: use --config with TLS and authorization)")
	fs.StringVar(&o.StoreDir, "store", "", "JetStream folder (default a temporary one; give one so that jobs survive a restart)")
	fs.StringVar(&o.Config, "config", "", "nats-server configuration file (TLS, accounts, nkeys, cluster routes)")
	fs.BoolVar(&o.Insecure, "insecure", false, "allow listening beyond loopback without --config (no TLS, no authorization): trusted networks only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Log = true
	s, err := cluster.StartServer(o)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(os.Stderr, "supersonic: NATS with JetStream listening at", s.URL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
