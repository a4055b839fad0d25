// Package testproc runs the test binary itself as a helper process, for
// tests that kill a process with SIGKILL or need several of them: the
// package's TestMain looks for the helper's environment variable and, when
// it is set, runs the helper instead of the tests.
package testproc

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Command returns this test binary as a helper process that runs no
// tests, with env ("NAME=value") added to its environment. With -v its
// standard error is the test's.
func Command(env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	return cmd
}

// StartAndReadLine starts cmd and returns the first line it writes to its
// standard output (a helper says so that it is ready, and what it made),
// without the line end. When cmd cannot start or ends without a line the
// test fails and the process is killed.
func StartAndReadLine(t testing.TB, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the helper process %v wrote no line (%q): %v", cmd.Args, line, err)
	}
	return strings.TrimSpace(line)
}
