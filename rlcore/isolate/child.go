package isolate

import "os/exec"

// StartChild starts a helper program (a compiler, a generator, a built
// benchmark) so that it dies with this process, as workers do: SIGKILL on
// the parent's death, its own process group, and — for a command made by
// exec.CommandContext — cancellation that kills the whole group. The
// caller waits for it as usual (cmd.Wait).
func StartChild(cmd *exec.Cmd) error {
	if cmd.Cancel != nil {
		cmd.Cancel = func() error {
			killGroup(cmd)
			return nil
		}
	}
	return spawn(cmd)
}

// RunChild is StartChild followed by cmd.Wait.
func RunChild(cmd *exec.Cmd) error {
	if err := StartChild(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}
