package superopt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// A result of this task is a rewrite, not a function of its move kinds,
// and a notebook runs every cell in a new process. So every rewrite z3
// proves (an episode proves one when it beats its own best) is also
// written to the proved-rewrite folder, the first one of each benchmark,
// target and latency; ViewResult and ExportResult read the one whose
// latency a stored quality stands for.
var (
	_ rlcore.ResultViewer    = (*Problem)(nil)
	_ rlcore.PrimaryMeasurer = (*Problem)(nil)
)

// PrimaryMeasure is the measure the quality divides: the rewrite's latency.
func (p *Problem) PrimaryMeasure() string { return "latency" }

// ProvedDir is the folder of proved rewrites: $SUPERSONIC_SUPEROPT_PROVED,
// or the user cache folder's supersonic/superopt/proved.
func ProvedDir() string {
	if d := os.Getenv("SUPERSONIC_SUPEROPT_PROVED"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "supersonic", "superopt", "proved")
}

// provedPath names the file of b's proved rewrite of latency lat: the
// target's hash keeps rewrites of a changed target apart.
func provedPath(b *bench, lat int) string {
	sum := sha256.Sum256([]byte(b.target.Code.String()))
	return filepath.Join(ProvedDir(), fmt.Sprintf("%s-%s-latency%d.s", b.target.Name, hex.EncodeToString(sum[:6]), lat))
}

// recordProved keeps a proved rewrite on disk (the first one of each
// latency); a failure is logged, the search goes on.
func recordProved(b *bench, rw x86.Program) {
	path := provedPath(b, rw.Latency())
	if _, err := os.Stat(path); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		if err = os.WriteFile(tmp, []byte(rw.String()), 0o644); err == nil {
			err = os.Rename(tmp, path)
		}
		if err == nil {
			return
		}
		slog.Warn("superopt: cannot keep a proved rewrite", "benchmark", b.target.Name, "err", err)
	}
}

// ViewResult shows the rewrite a stored quality stands for (the proved
// rewrite of latency target latency ÷ quality) beside the target, with the
// latency of every instruction, and proves it equivalent to the target
// with z3 again, saying so.
func (p *Problem) ViewResult(ctx context.Context, benchmark string, quality float64) (rlcore.View, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return rlcore.View{}, err
	}
	v := rlcore.View{Title: fmt.Sprintf("%s: the rewrite beside the target (latency per instruction, cycles)", b.target.Name)}
	rw, err := keptRewrite(b, quality)
	if err != nil {
		v.Text = err.Error() + " (it was found on another machine, or before rewrites were kept)"
		return v, nil
	}
	status := "the target itself (quality 1)"
	if rw.Latency() < b.target.Code.Latency() {
		start := time.Now()
		res, err := smt.Check(ctx, smt.Query{Target: b.target.Code, Rewrite: rw, LiveOut: b.spec.LiveOut, OutWidth: b.spec.OutWidth}, p.opts.VerifyTimeout)
		switch {
		case err != nil:
			status = "z3 failed: " + err.Error()
		case res.Verdict == smt.Equivalent:
			status = fmt.Sprintf("z3 proves it equivalent to the target for all inputs (again, just now, in %v)", time.Since(start).Round(time.Millisecond))
		default:
			status = fmt.Sprintf("z3 does NOT prove it equivalent: %v", res.Verdict)
		}
	}
	v.Text, v.HTML = sideBySide(b.target.Code, rw, status)
	return v, nil
}

// sideBySide renders target and rewrite as two columns with each
// instruction's latency, as text and HTML.
func sideBySide(target, rw x86.Program, status string) (string, string) {
	var t strings.Builder
	fmt.Fprintf(&t, "%-34s  %s\n", fmt.Sprintf("target (latency %d)", target.Latency()), fmt.Sprintf("rewrite (latency %d)", rw.Latency()))
	for i := range max(len(target), len(rw)) {
		fmt.Fprintf(&t, "%-34s  %s\n", instCell(target, i), instCell(rw, i))
	}
	fmt.Fprintf(&t, "proof: %s\n", status)
	var h strings.Builder
	h.WriteString(`<table style="border-collapse:collapse;font-size:13px"><tr>`)
	for _, col := range []struct {
		name string
		p    x86.Program
	}{{"target", target}, {"rewrite", rw}} {
		fmt.Fprintf(&h, `<td style="vertical-align:top;padding-right:24px"><b>%s</b> (latency %d)<table style="font-family:monospace">`, col.name, col.p.Latency())
		for i := range col.p {
			in := col.p[i]
			fmt.Fprintf(&h, `<tr><td style="text-align:left">%s</td><td style="text-align:right;color:#666">%d</td></tr>`, html.EscapeString(in.String()), x86.Latency(&in))
		}
		h.WriteString("</table></td>")
	}
	fmt.Fprintf(&h, "</tr></table><p>proof: %s</p>", html.EscapeString(status))
	return t.String(), h.String()
}

func instCell(p x86.Program, i int) string {
	if i >= len(p) {
		return ""
	}
	in := p[i]
	return fmt.Sprintf("%-28s %3d", in.String(), x86.Latency(&in))
}

var _ rlcore.Exporter = (*Problem)(nil)

// keptRewrite returns the proved rewrite a quality stands for (the target
// itself for quality ≤ 1).
func keptRewrite(b *bench, quality float64) (x86.Program, error) {
	tlat := b.target.Code.Latency()
	if quality <= 0 || math.IsNaN(quality) {
		return nil, fmt.Errorf("no result quality (%v) to look up a rewrite for", quality)
	}
	lat := int(math.Round(float64(tlat) / quality))
	if lat >= tlat {
		return b.target.Code.Clone(), nil
	}
	data, err := os.ReadFile(provedPath(b, lat))
	if err != nil {
		return nil, fmt.Errorf("quality %.4g stands for a rewrite of latency %d, but no proved rewrite of that latency is kept in %s", quality, lat, ProvedDir())
	}
	return x86.Parse(string(data))
}

// ExportResult packs a result: the target's code (the initial program),
// the proved rewrite its quality stands for (the result: move kinds do not
// determine it), z3's version, a z3 command that proves the two
// equivalent with the solver alone, and the latencies and quality.
func (p *Problem) ExportResult(ctx context.Context, benchmark string, actions []int, quality float64) (*rlcore.Export, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return nil, err
	}
	rw, err := keptRewrite(b, quality)
	if err != nil {
		return nil, fmt.Errorf("superopt: export %s: %w", benchmark, err)
	}
	moves := p.Actions()
	names := make([]string, len(actions))
	for i, a := range actions {
		if a < 0 || a >= len(moves) {
			return nil, fmt.Errorf("superopt: export %s: action %d (step %d) out of range [0, %d)", benchmark, a, i+1, len(moves))
		}
		names[i] = moves[a]
	}
	got, tools, err := p.check(ctx, b, b.target.Code, rw)
	if err != nil {
		return nil, fmt.Errorf("superopt: export %s: %w", benchmark, err)
	}
	if got["proved"] != 1 {
		return nil, fmt.Errorf("superopt: export %s: z3 does not prove the kept rewrite equivalent to the target", benchmark)
	}
	cmd, err := proofCommand(b, b.target.Code, rw)
	if err != nil {
		return nil, err
	}
	return &rlcore.Export{
		Benchmark: b.target.Name, Program: []byte(b.target.Code.String()), ProgramName: b.target.Name + ".target.s",
		Result: []byte(rw.String()), ResultName: b.target.Name + ".rewrite.s",
		Tools: tools, Actions: names, Expected: got,
		Commands: map[string]string{"proved": cmd},
		Validation: fmt.Sprintf("z3 proved the rewrite equivalent to the target for all inputs (live-out %v); latencies from the model in x86/latency.go; the move kinds are the agent's choices, whose random details do not reproduce the rewrite",
			b.spec.LiveOut),
	}, nil
}

// ReplayExport proves the export's rewrite equivalent to its target again
// and recomputes the latencies and the quality.
func (p *Problem) ReplayExport(ctx context.Context, x *rlcore.Export) (map[string]float64, map[string]string, error) {
	b, err := p.bench(x.Benchmark)
	if err != nil {
		return nil, nil, err
	}
	target, err := x86.Parse(string(x.Program))
	if err != nil {
		return nil, nil, fmt.Errorf("superopt: replay: the target: %w", err)
	}
	rw, err := x86.Parse(string(x.Result))
	if err != nil {
		return nil, nil, fmt.Errorf("superopt: replay: the rewrite: %w", err)
	}
	return p.check(ctx, b, target, rw)
}

// check proves rw equivalent to target with z3 and measures both.
func (p *Problem) check(ctx context.Context, b *bench, target, rw x86.Program) (map[string]float64, map[string]string, error) {
	res, err := smt.Check(ctx, smt.Query{Target: target, Rewrite: rw, LiveOut: b.spec.LiveOut, OutWidth: b.spec.OutWidth}, p.opts.VerifyTimeout)
	if err != nil {
		return nil, nil, err
	}
	proved := 0.0
	if res.Verdict == smt.Equivalent {
		proved = 1
	}
	out, err := exec.CommandContext(ctx, smt.Z3, "--version").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s --version: %w", smt.Z3, err)
	}
	tools := map[string]string{"z3": strings.TrimSpace(string(out)), "latency model": "Agner Fog, AMD Zen 3 (superopt/x86/latency.go)"}
	return map[string]float64{
		"latency": float64(rw.Latency()), "latency.target": float64(target.Latency()),
		"quality": float64(target.Latency()) / float64(max(rw.Latency(), 1)), "proved": proved,
	}, tools, nil
}

// proofCommand is a shell command that asks z3 alone whether the rewrite
// equals the target and prints 1 when it proves it (unsat), 0 otherwise.
func proofCommand(b *bench, target, rw x86.Program) (string, error) {
	f, err := smt.Query{Target: target, Rewrite: rw, LiveOut: b.spec.LiveOut, OutWidth: b.spec.OutWidth}.Formula()
	if err != nil {
		return "", err
	}
	return smt.Z3 + " -in -smt2 <<'SMT' | grep -c '^unsat$'\n" + f + "SMT", nil
}
