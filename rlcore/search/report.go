package search

import (
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Comparison rebuilds a stored compare run's table, with every method's
// curve of best quality against time (for re-plotting); nil when the run
// has no baseline rows.
func (r *RunReport) Comparison() *Comparison {
	if len(r.Baselines) == 0 {
		return nil
	}
	c := comparisonFromRows(r.Baselines)
	c.RunID = r.Run.ID
	c.SearchRun = r.Run.Parent
	for _, row := range r.Baselines {
		m := c.Results[row.Method][row.Benchmark]
		if m == nil {
			continue
		}
		for _, p := range row.Curve {
			m.Curve = append(m.Curve, rlcore.CurvePoint{Elapsed: time.Duration(p[0] * float64(time.Second)), Best: p[1], Quality: p[1]})
		}
	}
	return c
}
