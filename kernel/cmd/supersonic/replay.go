package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	_ "github.com/supersonic-rl/supersonic/rlcore/all" // the tasks an export may name
	"github.com/supersonic-rl/supersonic/rlcore/explain"
)

// errDiffers is replay's error when a check fails (the report says which).
var errDiffers = errors.New("the replay does not reproduce the export")

// replay re-applies an export file written by %export and checks every
// number in it (see explain.Replay); the report goes to stdout.
func replay(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.Usage = func() { io.WriteString(fs.Output(), "usage: supersonic replay FILE   (a file written by %export)\n") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("replay takes one export file, got %d arguments", fs.NArg())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := explain.Replay(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Print(r.Text())
	if !r.OK {
		return errDiffers
	}
	return nil
}
