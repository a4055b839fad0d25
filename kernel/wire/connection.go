package wire

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
)

// Connection is the content of a Jupyter connection file: where the five
// channels are bound and the signing key.
type Connection struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	SignatureScheme string `json:"signature_scheme"`
	Key             string `json:"key"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// Channel names a socket of a kernel.
type Channel string

// The five channels.
const (
	Shell   Channel = "shell"
	Control Channel = "control"
	Stdin   Channel = "stdin"
	IOPub   Channel = "iopub"
	HB      Channel = "hb"
)

// ReadConnection reads and checks a connection file.
func ReadConnection(path string) (*Connection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading connection file: %w", err)
	}
	var c Connection
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parsing connection file %s: %w", path, err)
	}
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.Transport != "tcp" && c.Transport != "ipc" {
		return nil, fmt.Errorf("connection file %s: transport %q, allowed: tcp, ipc", path, c.Transport)
	}
	if c.SignatureScheme != "" && c.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("connection file %s: signature_scheme %q, allowed: hmac-sha256", path, c.SignatureScheme)
	}
	if c.IP == "" {
		return nil, fmt.Errorf("connection file %s: no ip", path)
	}
	return &c, nil
}

// Write writes the connection file readable only by its owner (0600).
func (c *Connection) Write(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding connection file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating connection file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing connection file %s: %w", path, err)
	}
	return f.Close()
}

// Endpoint returns the ZeroMQ endpoint of channel ch.
func (c *Connection) Endpoint(ch Channel) string {
	port := map[Channel]int{Shell: c.ShellPort, Control: c.ControlPort, Stdin: c.StdinPort, IOPub: c.IOPubPort, HB: c.HBPort}[ch]
	if c.Transport == "ipc" {
		return "ipc://" + c.IP + "-" + strconv.Itoa(port)
	}
	return "tcp://" + net.JoinHostPort(c.IP, strconv.Itoa(port))
}

// NewLoopbackConnection returns a connection on 127.0.0.1 with five fresh
// free ports and a fresh random key.
func NewLoopbackConnection() (*Connection, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	return &Connection{
		Transport: "tcp", IP: "127.0.0.1",
		ShellPort: ports[0], ControlPort: ports[1], StdinPort: ports[2], IOPubPort: ports[3], HBPort: ports[4],
		SignatureScheme: "hmac-sha256", Key: NewKey(),
	}, nil
}

// freePorts asks the system for n distinct free loopback ports. They are
// released before returning, so a rare race with another program exists, as
// with every Jupyter launcher.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
