package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/all" // the tasks and algorithms an evaluation runs
	"github.com/supersonic-rl/supersonic/rlcore/eval"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

const evalUsage = `usage: supersonic eval [flags]

Evaluates the code-size client RL against -Oz and classic search on the
held-out programs (see package rlcore/eval): finds the architecture with a
search (or takes --run / --arm), then at each budget per program runs every
method on every program with that budget, one job per core, and prints the
table (quality over -Oz per program, geomean, search overhead). Ctrl-C stops
it and prints the table so far.

Flags:
`

// runEval is `supersonic eval`.
func runEval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.Usage = func() { io.WriteString(fs.Output(), evalUsage); fs.PrintDefaults() }
	programs := fs.String("programs", "", "benchmark specs, space-separated (default: the held-out set, "+strings.Join(eval.HeldOut, " ")+")")
	budgets := fs.String("budgets", "20s,60s", "budgets per program and method, comma-separated")
	methods := fs.String("methods", strings.Join(eval.DefaultMethods, ","), "methods compared with the client RL: reference compilations and search algorithms (ALGORITHM@ACTIONS: searching action space ACTIONS instead of the client RL's, such as genetic@all)")
	run := fs.String("run", "", "stored search run whose winner is the client RL (id or name); default: search first")
	armFlag := fs.String("arm", "", "the client RL's arm, skipping the search: ALGORITHM,STATE,REWARD,ACTIONS,TRANSITION")
	taskFile := fs.String("task", "", "file with a %%task body (key: value lines) declaring the search space (default: the quickstart's arms on the all and coreset action spaces)")
	searchBudget := fs.Duration("search", eval.DefaultSearchBudget, "the architecture search's wall time")
	var variants multiFlag
	fs.Var(&variants, "variant", "a client RL measured beside the winner: NAME=KEY:VALUE[;KEY:VALUE…] (KEY state, reward, actions, transition, algorithm; weights:scratch for fresh weights on each program; mode:guided for policy-guided search: the start weights sampled for the whole budget, not trained; temperature:NUMBER for those samples; hyper:NAME=NUMBER); repeatable")
	train := fs.Duration("train", 0, "train the client RL across programs for this long after the search (the corpus minus the held-out set): the client RL starts each program from that policy, and its zero-shot deployment is a column")
	fromScratch := fs.Bool("from-scratch", false, "train the client RL from fresh weights on each program (the paper's behaviour) instead of the stored or trained policy")
	seed := fs.Int64("seed", 0, "seed of every random choice (default: the spec's)")
	workers := fs.Int("workers", 1, "jobs at once, one core each")
	db := fs.String("db", "", "run store (default $SUPERSONIC_DB or ./supersonic.db)")
	out := fs.String("out", "", "also write the table to PREFIX.txt, PREFIX.csv and PREFIX.md")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval takes only flags, got %q", fs.Args())
	}
	opt := eval.Options{Run: *run, SearchBudget: *searchBudget, Train: *train, FromScratch: *fromScratch, Variants: variants, Seed: *seed, Workers: *workers,
		Methods: splitFlag(*methods), Programs: strings.Fields(*programs)}
	for _, b := range splitFlag(*budgets) {
		d, err := time.ParseDuration(b)
		if err != nil || d <= 0 {
			return fmt.Errorf("--budgets: %q is not a positive duration such as 20s", b)
		}
		opt.Budgets = append(opt.Budgets, d)
	}
	if *armFlag != "" {
		parts := strings.Split(*armFlag, ",")
		if len(parts) != 5 {
			return fmt.Errorf("--arm %q: want ALGORITHM,STATE,REWARD,ACTIONS,TRANSITION, such as ppo,autophase,ic-oz,all,apply", *armFlag)
		}
		opt.Arm = &rlcore.Arm{Algorithm: parts[0], State: parts[1], Reward: parts[2], Actions: parts[3], Transition: parts[4]}
	}
	if *taskFile != "" {
		body, err := os.ReadFile(*taskFile)
		if err != nil {
			return fmt.Errorf("--task: %w", err)
		}
		spec, err := search.ParseSpec("eval", string(body))
		if err != nil {
			return fmt.Errorf("--task %s: %w", *taskFile, err)
		}
		opt.Spec = &spec
	}
	st, err := store.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	opt.Store = st
	opt.Progress = func(p eval.Progress) {
		if p.Phase == "train" {
			fmt.Fprintf(os.Stderr, "train %5s  %s: validation geomean %.4f\n", p.Elapsed.Round(time.Second), p.Method, p.Quality)
			return
		}
		if p.Phase == "search" {
			fmt.Fprintf(os.Stderr, "search %5s  pull %d: %s %.4f  leader %s %.4f\n", p.Elapsed.Round(time.Second), p.Done, p.Method, p.Quality, p.Leader, p.LeaderAvg)
			return
		}
		q := fmt.Sprintf("%.4f", p.Quality)
		if p.Err != nil || math.IsNaN(p.Quality) {
			q = fmt.Sprintf("failed: %v", p.Err)
		}
		fmt.Fprintf(os.Stderr, "%s %3d/%d  %5s  %-22s %-18s %s\n", p.Phase, p.Done, p.Of, p.Elapsed.Round(time.Second), p.Program, p.Method, q)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := eval.Run(ctx, opt)
	if rep != nil {
		fmt.Print(rep.Text())
		if *out != "" {
			if werr := writeEvalFiles(*out, rep); werr != nil {
				err = errors.Join(err, werr)
			}
		}
	}
	return err
}

func writeEvalFiles(prefix string, rep *eval.Report) error {
	var csvBuf bytes.Buffer
	if err := rep.CSV(&csvBuf); err != nil {
		return err
	}
	for ext, data := range map[string][]byte{".txt": []byte(rep.Text()), ".csv": csvBuf.Bytes(), ".md": []byte(rep.Markdown())} {
		if err := os.WriteFile(prefix+ext, data, 0o644); err != nil {
			return fmt.Errorf("writing the table: %w", err)
		}
	}
	return nil
}

// splitFlag splits a list flag at commas and spaces.
func splitFlag(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
