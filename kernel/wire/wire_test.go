package wire

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := NewSigner("secret-key")
	parent, err := New("execute_request", "sess", nil, map[string]any{"code": "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	parent.Identities = [][]byte{[]byte("client-a"), []byte("client-b")}
	m, err := New("execute_reply", "sess", parent, map[string]any{"status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	m.Buffers = [][]byte{{0, 1, 2}, []byte("tail")}
	frames := s.Encode(m)
	if string(frames[2]) != Delimiter {
		t.Fatalf("frame 2 = %q, want the delimiter after two identities", frames[2])
	}
	got, err := s.Decode(frames)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(got.Identities) != 2 || string(got.Identities[1]) != "client-b" {
		t.Errorf("identities = %q", got.Identities)
	}
	if got.Header.MsgType != "execute_reply" || got.Header.Version != Version {
		t.Errorf("header = %+v", got.Header)
	}
	if got.ParentID() != parent.Header.MsgID {
		t.Errorf("parent id = %q, want %q", got.ParentID(), parent.Header.MsgID)
	}
	if len(got.Buffers) != 2 || string(got.Buffers[1]) != "tail" {
		t.Errorf("buffers = %q", got.Buffers)
	}
	var c struct{ Status string }
	if err := got.DecodeContent(&c); err != nil || c.Status != "ok" {
		t.Errorf("content = %+v, %v", c, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	s := NewSigner("secret-key")
	m, err := New("kernel_info_request", "sess", nil, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	good := s.Encode(m)
	mutate := func(f func([][]byte) [][]byte) [][]byte {
		c := make([][]byte, len(good))
		for i := range good {
			c[i] = append([]byte(nil), good[i]...)
		}
		return f(c)
	}
	tests := []struct {
		name   string
		frames [][]byte
		badSig bool
	}{
		{"wrong key", NewSigner("other-key").Encode(m), true},
		{"missing signature", mutate(func(f [][]byte) [][]byte { f[1] = nil; return f }), true},
		{"tampered content", mutate(func(f [][]byte) [][]byte { f[5] = []byte(`{"evil":1}`); return f }), true},
		{"tampered header", mutate(func(f [][]byte) [][]byte { f[2] = []byte(`{"msg_type":"shutdown_request"}`); return f }), true},
		{"no delimiter", mutate(func(f [][]byte) [][]byte { return f[1:] }), false},
		{"too few frames", mutate(func(f [][]byte) [][]byte { return f[:4] }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Decode(tc.frames)
			if err == nil {
				t.Fatal("Decode accepted a bad message")
			}
			if got := errors.Is(err, ErrBadSignature); got != tc.badSig {
				t.Errorf("errors.Is(err, ErrBadSignature) = %v, want %v (err: %v)", got, tc.badSig, err)
			}
		})
	}
}

func TestSignMatchesJupyterScheme(t *testing.T) {
	// hmac.new(b"k", b"{}{}{}{}", hashlib.sha256).hexdigest(), which is what
	// jupyter_client's Session.sign computes for four empty dicts.
	const want = "6f7c3dea506a2fb840fc9377d65462646f8e8df4acfafa710cf0c50bb2db8de2"
	if got := string(NewSigner("k").Sign([]byte("{}"), []byte("{}"), []byte("{}"), []byte("{}"))); got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
	if got := NewSigner("").Sign([]byte("{}"), nil, nil, nil); got != nil {
		t.Errorf("empty key signed: %q", got)
	}
}

func TestConnectionFile(t *testing.T) {
	c, err := NewLoopbackConnection()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kernel.json")
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("connection file mode = %v, want 0600", st.Mode().Perm())
	}
	back, err := ReadConnection(path)
	if err != nil {
		t.Fatal(err)
	}
	if *back != *c {
		t.Errorf("read back %+v, want %+v", back, c)
	}
	ports := map[int]bool{c.ShellPort: true, c.ControlPort: true, c.StdinPort: true, c.IOPubPort: true, c.HBPort: true}
	if len(ports) != 5 || c.IP != "127.0.0.1" || len(c.Key) != 64 {
		t.Errorf("connection %+v: want 5 distinct ports on loopback and a 64-digit key", c)
	}
	if got := c.Endpoint(Shell); got != "tcp://127.0.0.1:"+itoa(c.ShellPort) {
		t.Errorf("shell endpoint %s", got)
	}
}

func TestReadConnectionErrors(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"bad scheme":    `{"transport":"tcp","ip":"127.0.0.1","signature_scheme":"hmac-md5","key":"k"}`,
		"bad transport": `{"transport":"udp","ip":"127.0.0.1","key":"k"}`,
		"no ip":         `{"transport":"tcp","key":"k"}`,
		"not json":      `{`,
	}
	for name, content := range tests {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadConnection(p); err == nil {
			t.Errorf("%s: ReadConnection accepted %s", name, content)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
