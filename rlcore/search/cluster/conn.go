package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Conn says how to reach NATS: the server URL and the credentials. The
// zero value of every field but URL means "not used".
type Conn struct {
	// URL is the server, e.g. nats://10.0.0.5:4222 or tls://host:4222; a
	// comma-separated list names several servers of a cluster.
	URL string
	// Creds is a NATS credentials file (a user JWT and its nkey seed, as
	// `nsc` writes them).
	Creds string
	// NkeySeed is a file holding a user nkey seed (SU…), for servers that
	// authorize plain nkeys.
	NkeySeed string
	// TLSCert and TLSKey are this client's certificate and key (mutual
	// TLS); TLSCA is the CA bundle the server's certificate is checked
	// against.
	TLSCert, TLSKey, TLSCA string
	// Name is the connection's name as the server shows it.
	Name string
}

// Connect connects and keeps reconnecting for ever: a server that stops
// for a while pauses the work, it does not end it.
func (c Conn) Connect() (*nats.Conn, error) {
	if c.URL == "" {
		return nil, errors.New("no NATS URL: give one such as nats://127.0.0.1:4222 (or `embedded` for an in-process server)")
	}
	opts := []nats.Option{nats.Name(c.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(false), nats.ReconnectBufSize(64 << 20),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				slog.Warn("nats: disconnected; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { slog.Info("nats: reconnected", "server", nc.ConnectedUrlRedacted()) }),
	}
	if c.Creds != "" {
		if _, err := os.Stat(c.Creds); err != nil {
			return nil, fmt.Errorf("NATS credentials file: %w", err)
		}
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	if c.NkeySeed != "" {
		o, err := nats.NkeyOptionFromSeed(c.NkeySeed)
		if err != nil {
			return nil, fmt.Errorf("NATS nkey seed file %s: %w", c.NkeySeed, err)
		}
		opts = append(opts, o)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("give both --tls-cert and --tls-key (a client certificate needs its key), or neither")
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	nc, err := nats.Connect(c.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", c.URL, err)
	}
	return nc, nil
}

// ServerOptions configure a NATS server run in this process.
type ServerOptions struct {
	// Listen is host:port; default 127.0.0.1:4222, port 0 picks a free
	// one. A host other than loopback exposes the server: give it only
	// with Config (TLS and authorization).
	Listen string
	// StoreDir keeps JetStream's streams on disk (jobs and results
	// survive a restart); default a fresh temporary folder.
	StoreDir string
	// Config is a nats-server configuration file (TLS, accounts, users,
	// nkeys, cluster routes); its listen address is replaced by Listen
	// when Listen is set.
	Config string
	// Log writes the server's log to stderr.
	Log bool
	// Insecure allows a non-loopback Listen without Config (no TLS, no
	// authorization): only for a trusted private network.
	Insecure bool
}

// Server is a NATS server with JetStream running in this process.
type Server struct {
	*server.Server
	tmp string
}

// StartServer starts a NATS server with JetStream in this process and
// waits until it accepts connections.
func StartServer(o ServerOptions) (*Server, error) {
	opts := &server.Options{}
	if o.Config != "" {
		var err error
		if opts, err = server.ProcessConfigFile(o.Config); err != nil {
			return nil, fmt.Errorf("nats-server configuration %s: %w", o.Config, err)
		}
	}
	if o.Listen == "" && o.Config == "" {
		o.Listen = "127.0.0.1:4222"
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen address %q: want HOST:PORT, e.g. 127.0.0.1:4222: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("listen address %q: port %q is not 0 … 65535", o.Listen, port)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && o.Config == "" && !o.Insecure {
			return nil, fmt.Errorf("listen address %q is reachable from other machines: give a configuration file with TLS and authorization (--config, see the README, \"Many machines\"), or allow it without them on a trusted network (--insecure)", o.Listen)
		}
		opts.Host, opts.Port = host, p
	}
	opts.JetStream = true
	opts.NoSigs = true
	opts.NoLog = !o.Log
	s := &Server{}
	if o.StoreDir == "" && opts.StoreDir == "" {
		d, err := os.MkdirTemp("", "supersonic-nats-")
		if err != nil {
			return nil, err
		}
		s.tmp, o.StoreDir = d, d
	}
	if o.StoreDir != "" {
		opts.StoreDir = o.StoreDir
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		s.removeTmp()
		return nil, fmt.Errorf("starting NATS server: %w", err)
	}
	ns.ConfigureLogger()
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		s.removeTmp()
		return nil, fmt.Errorf("NATS server on %s did not become ready within 10s", o.Listen)
	}
	s.Server = ns
	return s, nil
}

// URL is where clients connect.
func (s *Server) URL() string { return s.ClientURL() }

// Close stops the server and removes its temporary store.
func (s *Server) Close() {
	s.Shutdown()
	s.WaitForShutdown()
	s.removeTmp()
}

func (s *Server) removeTmp() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
