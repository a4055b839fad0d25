package wire

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/go-zeromq/zmq4"
)

// Socket is a ZeroMQ socket carrying signed Jupyter messages. Send may be
// called from several goroutines; Recv from one.
type Socket struct {
	Name   string // for logs, e.g. "frontend shell"
	Sock   zmq4.Socket
	Signer *Signer
	mu     sync.Mutex
}

// Send signs and sends m as one multipart message.
func (s *Socket) Send(m *Message) error {
	return s.SendFrames(s.Signer.Encode(m))
}

// SendFrames sends already framed parts as one multipart message.
func (s *Socket) SendFrames(frames [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("sending on %s: %w", s.Name, err)
	}
	return nil
}

// Recv returns the next correctly signed message. Messages with a missing
// or wrong signature, or that cannot be decoded, are logged and dropped.
// It returns an error only when the socket fails (e.g. it was closed).
func (s *Socket) Recv() (*Message, error) {
	for {
		raw, err := s.Sock.Recv()
		if err != nil {
			return nil, fmt.Errorf("receiving on %s: %w", s.Name, err)
		}
		m, err := s.Signer.Decode(raw.Frames)
		if err != nil {
			if errors.Is(err, ErrBadSignature) {
				slog.Warn("dropped a message with a missing or wrong signature", "socket", s.Name, "frames", len(raw.Frames))
			} else {
				slog.Warn("dropped an undecodable message", "socket", s.Name, "err", err)
			}
			continue
		}
		return m, nil
	}
}

// Close closes the socket.
func (s *Socket) Close() error { return s.Sock.Close() }
