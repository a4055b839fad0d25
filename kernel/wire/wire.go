// Package wire implements the Jupyter messaging wire protocol (version 5.3):
// the multipart framing of a message (routing identities, the "<IDS|MSG>"
// delimiter, the HMAC-SHA256 signature, header, parent header, metadata,
// content and binary buffers) and its signing and verification.
//
// It knows nothing about sockets: Decode takes the frames a ZeroMQ socket
// received and Encode returns the frames to send.
package wire

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version is the messaging protocol version this package speaks.
const Version = "5.3"

// Delimiter separates the routing identities from the signed message.
const Delimiter = "<IDS|MSG>"

// ErrBadSignature reports a message whose signature is missing or does not
// match the session key; such messages must be dropped.
var ErrBadSignature = errors.New("missing or wrong HMAC-SHA256 signature")

// Header is a message header (also used as parent header).
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one decoded Jupyter message. Header, Parent, Metadata and
// Content keep their raw JSON so that relaying a message does not change a
// byte of it; use the helpers to read or replace them.
type Message struct {
	Identities [][]byte
	Header     Header
	RawHeader  json.RawMessage
	RawParent  json.RawMessage
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte
}

// Signer signs and verifies messages with one session key. An empty key
// disables signing (allowed by the protocol, used by no kernel we start).
type Signer struct{ key []byte }

// NewSigner returns a Signer for the connection file's key.
func NewSigner(key string) *Signer { return &Signer{key: []byte(key)} }

// Sign returns the hex HMAC-SHA256 of the four signed parts.
func (s *Signer) Sign(header, parent, metadata, content []byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	mac := hmac.New(sha256.New, s.key)
	mac.Write(header)
	mac.Write(parent)
	mac.Write(metadata)
	mac.Write(content)
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Decode splits received frames into a Message, verifying its signature.
// A message with a missing or wrong signature returns an error wrapping
// ErrBadSignature.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	delim := -1
	for i, f := range frames {
		if string(f) == Delimiter {
			delim = i
			break
		}
	}
	if delim < 0 {
		return nil, fmt.Errorf("no %q delimiter among %d frames", Delimiter, len(frames))
	}
	if len(frames) < delim+6 {
		return nil, fmt.Errorf("message has %d frames after the delimiter, want at least 5 (signature, header, parent, metadata, content)", len(frames)-delim-1)
	}
	sig := frames[delim+1]
	header, parent, metadata, content := frames[delim+2], frames[delim+3], frames[delim+4], frames[delim+5]
	if len(s.key) > 0 {
		want := s.Sign(header, parent, metadata, content)
		if !hmac.Equal(want, sig) {
			return nil, ErrBadSignature
		}
	}
	m := &Message{
		Identities: frames[:delim],
		RawHeader:  json.RawMessage(header),
		RawParent:  json.RawMessage(parent),
		Metadata:   json.RawMessage(metadata),
		Content:    json.RawMessage(content),
		Buffers:    frames[delim+6:],
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("decoding message header %q: %w", header, err)
	}
	return m, nil
}

// Encode returns the signed frames of m: identities, delimiter, signature,
// header, parent, metadata, content and buffers. Empty parent and metadata
// are sent as "{}".
func (s *Signer) Encode(m *Message) [][]byte {
	header := nonEmpty(m.RawHeader)
	parent := nonEmpty(m.RawParent)
	metadata := nonEmpty(m.Metadata)
	content := nonEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(Delimiter), s.Sign(header, parent, metadata, content), header, parent, metadata, content)
	return append(frames, m.Buffers...)
}

func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// New returns a message of msgType with a fresh header in session, replying
// to parent (nil for none), with content marshalled to JSON.
func New(msgType, session string, parent *Message, content any) (*Message, error) {
	h := Header{
		MsgID:    NewID(),
		Session:  session,
		Username: "supersonic",
		Date:     time.Now().UTC().Format(time.RFC3339Nano),
		MsgType:  msgType,
		Version:  Version,
	}
	raw, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encoding %s header: %w", msgType, err)
	}
	body, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("encoding %s content: %w", msgType, err)
	}
	m := &Message{Header: h, RawHeader: raw, RawParent: json.RawMessage("{}"), Metadata: json.RawMessage("{}"), Content: body}
	if parent != nil {
		m.RawParent = parent.RawHeader
		m.Identities = parent.Identities
	}
	return m, nil
}

// ParentID returns the msg_id of the parent header, or "" when there is none.
func (m *Message) ParentID() string {
	var p struct {
		MsgID string `json:"msg_id"`
	}
	if len(m.RawParent) == 0 || json.Unmarshal(m.RawParent, &p) != nil {
		return ""
	}
	return p.MsgID
}

// DecodeContent unmarshals the content into v.
func (m *Message) DecodeContent(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("decoding %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// NewID returns a random message or session id (32 hex digits).
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("wire: no randomness for a message id: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// NewKey returns a fresh random signing key (64 hex digits).
func NewKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("wire: no randomness for a key: %v", err))
	}
	return hex.EncodeToString(b[:])
}
