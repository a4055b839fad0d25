// Command supersonic is the Supersonic Jupyter kernel: `supersonic kernel`
// runs it for a frontend, `supersonic install` registers the kernelspec,
// `supersonic replay FILE` re-applies a result exported by %export and
// checks every number, `supersonic version` prints the versions.
// `supersonic eval` evaluates the code-size client RL against -Oz and
// classic search on held-out programs (package rlcore/eval).
// `supersonic worker` runs search jobs from a NATS JetStream work queue,
// `supersonic workers` lists the connected workers and `supersonic nats`
// runs a NATS server with JetStream (see the README, "Many machines").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/kernel/cellmod"
	"github.com/supersonic-rl/supersonic/kernel/kernelspec"
	"github.com/supersonic-rl/supersonic/kernel/magic"
	"github.com/supersonic-rl/supersonic/kernel/proxy"
	"github.com/supersonic-rl/supersonic/kernel/wire"

	// The built-in components, so that %%task is checked in the kernel
	// before anything compiles.
	_ "github.com/supersonic-rl/supersonic/rlcore/all"
)

// modulePath is the module whose checkout cells import from.
const modulePath = "github.com/supersonic-rl/supersonic"

const usage = `usage:
  supersonic kernel --connection-file FILE [--gonb PATH] [--checkout DIR] [--gonb-logs] [--parent-pid PID]
  supersonic install [--user | --prefix DIR] [--gonb PATH] [--checkout DIR]
  supersonic replay FILE     (re-apply a result written by the export magic and check every number)
  supersonic eval [--budgets 20s,60s] [--programs SPECS] [--run RUN | --arm A,S,R,X,T] [--variant NAME=KEY:VALUE] [--train 3m] [--seed N] [--workers N] [--out PREFIX]
                             (client RL vs -Oz and classic search on held-out programs; eval -h for all flags)
  supersonic worker --nats URL [--creds FILE] [--nkey FILE] [--tls-cert FILE --tls-key FILE] [--tls-ca FILE] [--concurrency N]
  supersonic workers --nats URL [same credential flags]
  supersonic nats [--listen HOST:PORT] [--store DIR] [--config FILE] [--insecure]
  supersonic version`

func main() {
	if filepath.Base(os.Args[0]) == "gopls" {
		// The kernel stands in for gopls below gonb (see proxy.RunGoplsShim).
		err := proxy.RunGoplsShim(os.Args[1:])
		fmt.Fprintln(os.Stderr, "supersonic:", err)
		os.Exit(1)
	}
	// The kernel's stderr is the terminal of jupyter console: routine
	// start-up lines are debug messages, shown with SUPERSONIC_LOG=debug.
	level := slog.LevelInfo
	if os.Getenv("SUPERSONIC_LOG") == "debug" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	err := runSubcommand(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "supersonic:", err)
		os.Exit(1)
	}
}

// subcommands are what main runs, in the order an unknown one's error
// lists them.
var subcommands = []struct {
	name string
	run  func(args []string) error
}{
	{"kernel", runKernel}, {"install", install}, {"replay", replay}, {"eval", runEval},
	{"worker", runWorker}, {"workers", runWorkers}, {"nats", runNATS}, {"version", printVersion},
}

func runSubcommand(name string, args []string) error {
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Println(usage)
		return nil
	}
	var names []string
	for _, c := range subcommands {
		if c.name == name {
			return c.run(args)
		}
		names = append(names, c.name)
	}
	return fmt.Errorf("unknown subcommand %q; allowed: %s", name, strings.Join(names, ", "))
}

func printVersion([]string) error {
	fmt.Printf("supersonic %s (gonb %s, messaging protocol %s)\n", magic.Version, magic.GonbVersion, wire.Version)
	return nil
}

// locations holds the flags shared by kernel and install.
type locations struct{ gonb, checkout string }

func (l *locations) register(fs *flag.FlagSet) {
	fs.StringVar(&l.gonb, "gonb", "", "gonb binary (default: gonb next to this binary, then on PATH)")
	fs.StringVar(&l.checkout, "checkout", "", "Supersonic checkout that cells import from (default: the checkout holding this binary)")
}

// resolve fills in defaults and makes the paths absolute.
func (l *locations) resolve() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locating this binary: %w", err)
	}
	exeDir := filepath.Dir(exe)
	if l.gonb == "" {
		if p := filepath.Join(exeDir, "gonb"); isFile(p) {
			l.gonb = p
		} else if p, err := exec.LookPath("gonb"); err == nil {
			l.gonb = p
		} else {
			return errors.New("gonb not found next to this binary nor on PATH; run ./install.sh or pass --gonb")
		}
	}
	if l.gonb, err = filepath.Abs(l.gonb); err != nil {
		return err
	}
	if l.checkout == "" {
		l.checkout = cellmod.FindCheckout(exeDir, modulePath)
	}
	if l.checkout != "" {
		if l.checkout, err = filepath.Abs(l.checkout); err != nil {
			return err
		}
	}
	return nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func runKernel(args []string) error {
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	connFile := fs.String("connection-file", "", "Jupyter connection file (required)")
	gonbLogs := fs.Bool("gonb-logs", false, "pass gonb's info logs to stderr (by default only its warnings and errors)")
	parentPID := fs.Int("parent-pid", 0, "exit when this process ends (default: $JPY_PARENT_PID, as set by jupyter_client)")
	var loc locations
	loc.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *connFile == "" {
		return errors.New("kernel: --connection-file is required")
	}
	conn, err := wire.ReadConnection(*connFile)
	if err != nil {
		return err
	}
	if err := loc.resolve(); err != nil {
		return err
	}
	if loc.checkout == "" {
		slog.Warn("no Supersonic checkout found: cells cannot import its packages; pass --checkout")
	}
	cfg := proxy.Config{Connection: conn, GonbPath: loc.gonb, Checkout: loc.checkout, KernelID: kernelID(*connFile),
		HistoryPath: historyPath(), ParentPID: *parentPID}
	if cfg.ParentPID == 0 {
		// jupyter_client names the frontend that started the kernel.
		cfg.ParentPID, _ = strconv.Atoi(os.Getenv("JPY_PARENT_PID"))
	}
	if self, err := os.Executable(); err == nil {
		cfg.Self = self
	}
	if !*gonbLogs {
		// klog then writes info logs to files in gonb's private TMPDIR,
		// removed with it.
		cfg.GonbArgs = []string{"--logtostderr=false", "--stderrthreshold=WARNING"}
	}
	return proxy.Run(context.Background(), cfg)
}

// historyPath is where the cells' history is kept across kernels:
// $SUPERSONIC_HISTORY, or supersonic/history.jsonl in Jupyter's data
// directory ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter); "off" keeps it
// in memory only.
func historyPath() string {
	if p := os.Getenv("SUPERSONIC_HISTORY"); p != "" {
		if p == "off" {
			return ""
		}
		return p
	}
	dir := os.Getenv("JUPYTER_DATA_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "share", "jupyter")
	}
	return filepath.Join(dir, "supersonic", "history.jsonl")
}

// kernelID returns ID from a connection file named kernel-ID.json, as
// Jupyter names them, or "".
func kernelID(connFile string) string {
	base := filepath.Base(connFile)
	if strings.HasPrefix(base, "kernel-") && strings.HasSuffix(base, ".json") {
		return strings.TrimSuffix(strings.TrimPrefix(base, "kernel-"), ".json")
	}
	return ""
}

func install(args []string) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	user := fs.Bool("user", false, "install for the current user (the default)")
	prefix := fs.String("prefix", "", "install under PREFIX/share/jupyter/kernels")
	var loc locations
	loc.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user && *prefix != "" {
		return errors.New("install: give --user or --prefix, not both")
	}
	if err := loc.resolve(); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locating this binary: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return fmt.Errorf("locating this binary: %w", err)
	}
	kernels := kernelspec.PrefixDir(*prefix)
	if *prefix == "" {
		if kernels, err = kernelspec.UserDir(); err != nil {
			return err
		}
	}
	dir, err := kernelspec.Install(kernels, kernelspec.New(exe, loc.gonb, loc.checkout, filepath.Dir(loc.gonb)))
	if err != nil {
		return err
	}
	fmt.Printf("installed kernelspec %q (%s) in %s\n", kernelspec.Name, kernelspec.DisplayName, dir)
	return nil
}
