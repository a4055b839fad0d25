package isolate

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Handler serves one kind of request inside a worker process. It runs on
// the worker's main OS thread, one request at a time, so it may keep state
// in package variables (parsed modules, a JIT, handles to them): each
// worker process has its own. ctx carries the call's deadline, if any; a
// handler that cannot check it is killed when it passes. A returned error
// goes back to the caller as an ordinary error and the worker stays up; a
// panic, an abort or a signal ends the worker and costs the call.
type Handler func(ctx context.Context, req []byte) ([]byte, error)

// Service is the set of handlers a worker process serves.
type Service struct {
	// Name identifies the service; a Pool's Config.Service names it.
	Name string
	// Setup, if set, runs once in each worker before its first request
	// (create an LLVM context, a JIT, …). An error ends the worker and is
	// reported by the pool when it starts the worker.
	Setup func() error
	// Handlers by request name.
	Handlers map[string]Handler
}

// Environment of a worker process.
const (
	envService = "SUPERSONIC_ISOLATE_SERVICE" // the service to serve
	envParent  = "SUPERSONIC_ISOLATE_PARENT"  // the parent's pid
	envMemory  = "SUPERSONIC_ISOLATE_MEMORY"  // RLIMIT_AS in bytes
)

// greeting is the first line a ready worker writes, followed by the
// service name.
const greeting = "supersonic isolate worker ready: "

var (
	servicesMu sync.Mutex
	services   = map[string]*Service{}
)

// Register declares a service. Call it from an init function of the task's
// package, after the handlers' own package state is initialised: in a
// process started as a worker of this service, Register does not return —
// it serves requests on stdin/stdout until stdin closes, then exits. In
// every other process it records the service and returns. Registering a
// name twice panics.
func Register(s Service) {
	if s.Name == "" {
		panic("isolate: Register: empty service name")
	}
	for name := range s.Handlers {
		if _, ok := faults[name]; ok {
			panic(fmt.Sprintf("isolate: service %s: handler name %q is reserved", s.Name, name))
		}
	}
	servicesMu.Lock()
	if _, dup := services[s.Name]; dup {
		servicesMu.Unlock()
		panic(fmt.Sprintf("isolate: service %q registered twice", s.Name))
	}
	services[s.Name] = &s
	servicesMu.Unlock()
	if os.Getenv(envService) == s.Name {
		os.Exit(serve(&s))
	}
}

func registered(name string) bool {
	servicesMu.Lock()
	defer servicesMu.Unlock()
	_, ok := services[name]
	return ok
}

// serve is the worker's main loop; it returns the exit code.
func serve(s *Service) int {
	parent, _ := strconv.Atoi(os.Getenv(envParent))
	limit, _ := strconv.ParseInt(os.Getenv(envMemory), 10, 64)
	for _, k := range []string{envService, envParent, envMemory} {
		os.Unsetenv(k) // programs the handlers start are not workers
	}
	// PR_SET_PDEATHSIG was set before exec; a parent that died before
	// that is caught here.
	if parent != 0 && os.Getppid() != parent {
		return 3
	}
	runtime.LockOSThread()
	dieOnAbort()
	if limit > 0 {
		rl := syscall.Rlimit{Cur: uint64(limit), Max: uint64(limit)}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &rl); err != nil {
			fmt.Fprintf(os.Stderr, "isolate worker %s: set memory limit: %v\n", s.Name, err)
			return 2
		}
	}
	// The protocol owns the original stdout; anything the native code
	// prints goes to stderr, which the parent keeps for crash reports.
	protoFD, err := syscall.Dup(1)
	if err != nil {
		fmt.Fprintf(os.Stderr, "isolate worker %s: dup stdout: %v\n", s.Name, err)
		return 2
	}
	if err := syscall.Dup3(2, 1, 0); err != nil {
		fmt.Fprintf(os.Stderr, "isolate worker %s: redirect stdout: %v\n", s.Name, err)
		return 2
	}
	if s.Setup != nil {
		if err := s.Setup(); err != nil {
			fmt.Fprintf(os.Stderr, "isolate worker %s: setup: %v\n", s.Name, err)
			return 2
		}
	}
	out := bufio.NewWriter(os.NewFile(uintptr(protoFD), "protocol"))
	// The greeting lets the parent skip anything that package
	// initialisers printed to stdout before.
	out.WriteString(greeting + s.Name + "\n")
	if err := out.Flush(); err != nil {
		return 2
	}
	in := bufio.NewReader(os.Stdin)
	for {
		name, deadline, req, err := readRequest(in)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintf(os.Stderr, "isolate worker %s: read request: %v\n", s.Name, err)
			return 2
		}
		resp, herr := dispatch(s, name, deadline, req)
		if err := writeResponse(out, resp, herr); err != nil {
			fmt.Fprintf(os.Stderr, "isolate worker %s: write response: %v\n", s.Name, err)
			return 2
		}
	}
}

func dispatch(s *Service, name string, deadline int64, req []byte) ([]byte, error) {
	h, ok := s.Handlers[name]
	if !ok {
		if h, ok = faults[name]; !ok {
			return nil, fmt.Errorf("service %s has no handler %q", s.Name, name)
		}
	}
	ctx := context.Background()
	if deadline != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, deadline))
		defer cancel()
	}
	return h(ctx, req)
}

// The wire format: a request is uvarint(len name) name varint(deadline in
// Unix ns, 0 for none) uvarint(len payload) payload; a response is one
// status byte (0 ok, 1 error) then uvarint(len) and the payload or the
// error text.

// maxFrame bounds a frame's length, so that a corrupted stream fails
// instead of allocating without end.
const maxFrame = 1 << 31

func writeRequest(w *bufio.Writer, name string, deadline int64, req []byte) error {
	var buf [3 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], uint64(len(name)))
	w.Write(buf[:n])
	w.WriteString(name)
	n = binary.PutVarint(buf[:], deadline)
	n += binary.PutUvarint(buf[n:], uint64(len(req)))
	w.Write(buf[:n])
	w.Write(req)
	return w.Flush()
}

func readBytes(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes is too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, noEOF(err)
	}
	return b, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readRequest(r *bufio.Reader) (name string, deadline int64, req []byte, err error) {
	nb, err := readBytes(r)
	if err != nil {
		return "", 0, nil, err // io.EOF here is a clean end
	}
	if deadline, err = binary.ReadVarint(r); err != nil {
		return "", 0, nil, noEOF(err)
	}
	if req, err = readBytes(r); err != nil {
		return "", 0, nil, noEOF(err)
	}
	return string(nb), deadline, req, nil
}

func writeResponse(w *bufio.Writer, resp []byte, herr error) error {
	status := byte(0)
	if herr != nil {
		status, resp = 1, []byte(herr.Error())
	}
	w.WriteByte(status)
	var buf [binary.MaxVarintLen64]byte
	w.Write(buf[:binary.PutUvarint(buf[:], uint64(len(resp)))])
	w.Write(resp)
	return w.Flush()
}

// readResponse returns the payload, or the handler's error as remote.
func readResponse(r *bufio.Reader) (resp []byte, remote error, err error) {
	status, err := r.ReadByte()
	if err != nil {
		return nil, nil, err
	}
	b, err := readBytes(r)
	if err != nil {
		return nil, nil, noEOF(err)
	}
	if status != 0 {
		return nil, errors.New(string(b)), nil
	}
	return b, nil, nil
}
