// Package client is a small Jupyter client written on package wire: it
// connects to a kernel's channels, sends requests and collects replies and
// iopub output. The kernel's benchmarks use it to time round trips with no
// Python in the loop.
package client

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// Client talks to one kernel.
type Client struct {
	session string
	shell   *wire.Socket
	control *wire.Socket
	iopub   *wire.Socket

	mu      sync.Mutex
	replies map[string]chan *wire.Message // parent msg_id → its reply
	outputs map[string]chan *wire.Message // parent msg_id → its iopub messages
}

// Dial connects to the kernel described by conn.
func Dial(ctx context.Context, conn *wire.Connection) (*Client, error) {
	signer := wire.NewSigner(conn.Key)
	id := zmq4.SocketIdentity("client-" + wire.NewID()[:12])
	c := &Client{
		session: wire.NewID(),
		shell:   &wire.Socket{Name: "client shell", Sock: zmq4.NewDealer(ctx, zmq4.WithID(id)), Signer: signer},
		control: &wire.Socket{Name: "client control", Sock: zmq4.NewDealer(ctx, zmq4.WithID(id)), Signer: signer},
		iopub:   &wire.Socket{Name: "client iopub", Sock: zmq4.NewSub(ctx), Signer: signer},
		replies: map[string]chan *wire.Message{},
		outputs: map[string]chan *wire.Message{},
	}
	for _, s := range []struct {
		sock *wire.Socket
		ch   wire.Channel
	}{{c.shell, wire.Shell}, {c.control, wire.Control}, {c.iopub, wire.IOPub}} {
		if err := s.sock.Sock.Dial(conn.Endpoint(s.ch)); err != nil {
			c.Close()
			return nil, fmt.Errorf("connecting to the kernel's %s channel: %w", s.ch, err)
		}
	}
	if err := c.iopub.Sock.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("subscribing to iopub: %w", err)
	}
	go c.route(c.shell, c.replies, false)
	go c.route(c.control, c.replies, false)
	go c.route(c.iopub, c.outputs, true)
	return c, nil
}

// Close closes the connections.
func (c *Client) Close() {
	for _, s := range []*wire.Socket{c.shell, c.control, c.iopub} {
		s.Close()
	}
}

// route hands every message read from s to the channel its parent request
// waits on in chans, until s closes. A reply is always taken; an iopub
// message a full channel cannot take is dropped when dropWhenFull (a
// reader that stopped listening).
func (c *Client) route(s *wire.Socket, chans map[string]chan *wire.Message, dropWhenFull bool) {
	for {
		m, err := s.Recv()
		if err != nil {
			return
		}
		c.mu.Lock()
		ch := chans[m.ParentID()]
		c.mu.Unlock()
		switch {
		case ch == nil:
		case dropWhenFull:
			select {
			case ch <- m:
			default:
			}
		default:
			ch <- m
		}
	}
}

// Reply is a request's reply and the iopub messages it caused.
type Reply struct {
	Reply  *wire.Message
	IOPub  []*wire.Message
	Status string // the reply's content.status
}

// Request sends msgType on the shell channel (or control when control is
// true) and waits for its reply and, when waitIdle, for the kernel's idle
// status for it.
func (c *Client) Request(ctx context.Context, control bool, msgType string, content any, waitIdle bool) (*Reply, error) {
	m, err := wire.New(msgType, c.session, nil, content)
	if err != nil {
		return nil, err
	}
	replyCh := make(chan *wire.Message, 1)
	outCh := make(chan *wire.Message, 1024)
	id := m.Header.MsgID
	c.mu.Lock()
	c.replies[id] = replyCh
	c.outputs[id] = outCh
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.replies, id)
		delete(c.outputs, id)
		c.mu.Unlock()
	}()
	sock := c.shell
	if control {
		sock = c.control
	}
	if err := sock.Send(m); err != nil {
		return nil, err
	}
	r := &Reply{}
	idle := !waitIdle
	for r.Reply == nil || !idle {
		select {
		case rep := <-replyCh:
			r.Reply = rep
			var s struct {
				Status string `json:"status"`
			}
			_ = rep.DecodeContent(&s)
			r.Status = s.Status
		case out := <-outCh:
			r.IOPub = append(r.IOPub, out)
			if out.Header.MsgType == "status" {
				var s struct {
					State string `json:"execution_state"`
				}
				if out.DecodeContent(&s) == nil && s.State == "idle" {
					idle = true
				}
			}
		case <-ctx.Done():
			return r, fmt.Errorf("waiting for the %s reply: %w", msgType, ctx.Err())
		}
	}
	return r, nil
}

// KernelInfo asks for kernel_info and waits for the reply.
func (c *Client) KernelInfo(ctx context.Context) (*Reply, error) {
	return c.Request(ctx, false, "kernel_info_request", map[string]any{}, false)
}

// Execute runs code and waits for its reply and the kernel's idle status.
func (c *Client) Execute(ctx context.Context, code string) (*Reply, error) {
	return c.Request(ctx, false, "execute_request", map[string]any{
		"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{},
		"allow_stdin": false, "stop_on_error": true,
	}, true)
}

// WaitReady sends kernel_info until the kernel answers and its iopub
// subscription is live (an idle status arrives), or ctx ends.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.Request(attempt, false, "kernel_info_request", map[string]any{}, true)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("kernel not ready: %w", ctx.Err())
		}
	}
}

// Shutdown asks the kernel to shut down on the control channel.
func (c *Client) Shutdown(ctx context.Context) error {
	_, err := c.Request(ctx, true, "shutdown_request", map[string]any{"restart": false}, false)
	return err
}
