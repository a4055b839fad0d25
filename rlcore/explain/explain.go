package explain

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Step is one applied action of a result and what it did.
type Step struct {
	Index  int // 1-based
	Action string
	// Before and After are the primary measure around the step (NaN when
	// the task names none); Quality is the task quality after it.
	Before, After float64
	Quality       float64
	// Changed is false when the step left the program as it was (a no-op
	// pass); Touched names the parts it changed. Both need a Snapshotter;
	// without one Changed follows the measure.
	Changed bool
	Touched []string
	// Views are the task's own views of the step (StepViewer).
	Views []rlcore.View
}

// Delta is the step's change of the measure (After − Before).
func (s Step) Delta() float64 { return s.After - s.Before }

// Explanation is a result replayed step by step.
type Explanation struct {
	Result
	Task string
	// Measure is the task's primary measure ("ic"), "" when it has none.
	Measure string
	// Initial and Final are the measure before the first and after the
	// last step; InitialQuality and FinalQuality the same for quality.
	Initial, Final               float64
	InitialQuality, FinalQuality float64
	Steps                        []Step
	// MixBefore and MixAfter are the program's mix (Mixer), nil without.
	MixBefore, MixAfter map[string]int64
	// Replayable is false for tasks whose results are not a function of
	// their actions (rlcore.ResultChecker): then Steps replay the actions
	// but do not reproduce the result, and Result views show it.
	Replayable bool
	// ResultViews are the task's own views of the result (ResultViewer).
	ResultViews []rlcore.View
	// Reproducer is a shell command that reproduces the final measure
	// with the task's own tools, when the task is an Exporter.
	Reproducer string
	// snaps[i] is the program after i steps (Snapshotter), nil without.
	snaps [][]rlcore.ProgramPart
}

// Explain replays the result opt selects on a fresh episode of its task and
// records every step: the measure and quality after it, whether it changed
// the program and which parts, the task's step views, the mix before and
// after, and a reproducer.
func Explain(ctx context.Context, opt Options) (*Explanation, error) {
	l, err := locate(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer l.close()
	x, err := explainLocated(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("explain %s on %s (run %d): %w", l.Method, l.Benchmark, l.Run.ID, err)
	}
	return x, nil
}

func explainLocated(ctx context.Context, l *located) (*Explanation, error) {
	p := l.problem
	x := &Explanation{Result: l.Result, Task: p.Task(), Initial: math.NaN(), Final: math.NaN()}
	_, checker := p.(rlcore.ResultChecker)
	x.Replayable = !checker
	if pm, ok := p.(rlcore.PrimaryMeasurer); ok {
		x.Measure = pm.PrimaryMeasure()
	}
	ep, err := p.NewEpisode(ctx, l.Benchmark)
	if err != nil {
		return nil, err
	}
	defer func() { ep.Close() }()
	measure := func(e rlcore.Episode) (float64, float64, error) {
		q, err := e.Quality(ctx)
		if err != nil {
			return 0, 0, err
		}
		if x.Measure == "" {
			return math.NaN(), q, nil
		}
		m, err := e.Measure(ctx, x.Measure)
		return m, q, err
	}
	snap, hasSnap := ep.(rlcore.Snapshotter)
	if x.Initial, x.InitialQuality, err = measure(ep); err != nil {
		return nil, err
	}
	if hasSnap {
		parts, err := snap.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		x.snaps = append(x.snaps, parts)
	}
	if mx, ok := ep.(rlcore.Mixer); ok {
		if x.MixBefore, err = mx.Mix(ctx); err != nil {
			return nil, err
		}
	}
	viewer, hasViewer := p.(rlcore.StepViewer)
	prev, prevQ := x.Initial, x.InitialQuality
	for i, a := range l.Actions {
		var before rlcore.Episode
		if hasViewer {
			if before, err = ep.Fork(ctx); err != nil {
				return nil, err
			}
		}
		if err := ep.Apply(ctx, a); err != nil {
			if before != nil {
				before.Close()
			}
			return nil, fmt.Errorf("step %d (%s): %w", i+1, l.Names[i], err)
		}
		st := Step{Index: i + 1, Action: l.Names[i], Before: prev}
		if st.After, st.Quality, err = measure(ep); err != nil {
			return nil, err
		}
		if hasSnap {
			parts, err := ep.(rlcore.Snapshotter).Snapshot(ctx)
			if err != nil {
				return nil, err
			}
			st.Touched = touched(x.snaps[len(x.snaps)-1], parts)
			st.Changed = len(st.Touched) > 0
			x.snaps = append(x.snaps, parts)
		} else {
			st.Changed = st.After != prev || st.Quality != prevQ
		}
		if hasViewer {
			v, err := viewer.ViewStep(ctx, i, l.Names[i], before, ep)
			before.Close()
			if err != nil {
				return nil, fmt.Errorf("step %d (%s): the task's view: %w", i+1, l.Names[i], err)
			}
			st.Views = append(st.Views, v)
		}
		x.Steps = append(x.Steps, st)
		prev, prevQ = st.After, st.Quality
	}
	x.Final, x.FinalQuality = prev, prevQ
	if mx, ok := ep.(rlcore.Mixer); ok {
		if x.MixAfter, err = mx.Mix(ctx); err != nil {
			return nil, err
		}
	}
	if rv, ok := p.(rlcore.ResultViewer); ok {
		v, err := rv.ViewResult(ctx, l.Benchmark, l.Quality)
		if err != nil {
			return nil, fmt.Errorf("the task's view of the result: %w", err)
		}
		x.ResultViews = append(x.ResultViews, v)
	}
	if ex, ok := p.(rlcore.Exporter); ok && x.Replayable {
		exp, err := ex.ExportResult(ctx, l.Benchmark, l.Actions, l.Quality)
		if err == nil && x.Measure != "" {
			x.Reproducer = exp.Commands[x.Measure]
		}
	}
	return x, nil
}

// touched names the parts whose text differs between two snapshots (parts
// added or removed included), in the order of after, then removed ones.
func touched(before, after []rlcore.ProgramPart) []string {
	old := map[string]string{}
	for _, p := range before {
		old[p.Name] = p.Text
	}
	var names []string
	seen := map[string]bool{}
	for _, p := range after {
		seen[p.Name] = true
		if t, ok := old[p.Name]; !ok || t != p.Text {
			names = append(names, p.Name)
		}
	}
	var gone []string
	for _, p := range before {
		if !seen[p.Name] {
			gone = append(gone, p.Name)
		}
	}
	sort.Strings(gone)
	return append(names, gone...)
}

// MixRow is one kind of the mix (an opcode) before and after.
type MixRow struct {
	Kind          string
	Before, After int64
}

// Mix lists the mix before and after, largest change first.
func (x *Explanation) Mix() []MixRow {
	kinds := map[string]bool{}
	for k := range x.MixBefore {
		kinds[k] = true
	}
	for k := range x.MixAfter {
		kinds[k] = true
	}
	rows := make([]MixRow, 0, len(kinds))
	for k := range kinds {
		rows = append(rows, MixRow{Kind: k, Before: x.MixBefore[k], After: x.MixAfter[k]})
	}
	sort.Slice(rows, func(i, j int) bool {
		di, dj := abs(rows[i].After-rows[i].Before), abs(rows[j].After-rows[j].Before)
		if di != dj {
			return di > dj
		}
		if rows[i].Before != rows[j].Before {
			return rows[i].Before > rows[j].Before
		}
		return rows[i].Kind < rows[j].Kind
	})
	return rows
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// LargestStep is the step (1-based) that changed the measure the most (the
// quality when the task has no measure); 0 when no step changed anything.
func (x *Explanation) LargestStep() int {
	best, most := 0, 0.0
	for _, s := range x.Steps {
		d := math.Abs(s.Delta())
		if math.IsNaN(d) {
			d = 0
		}
		if x.Measure == "" {
			d = 0
		}
		if !s.Changed {
			continue
		}
		if best == 0 || d > most {
			best, most = s.Index, d
		}
	}
	return best
}
