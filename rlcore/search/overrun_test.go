package search

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func TestPerRunOverrun(t *testing.T) {
	s := time.Second
	tests := []struct {
		name   string
		budget rlcore.Budget
		walls  []time.Duration
		want   time.Duration
		why    string
	}{
		{"within", rlcore.Budget{Duration: 8 * s}, []time.Duration{7 * s, 8 * s}, 0, ""},
		{"no wall budget", rlcore.Budget{Steps: 100}, []time.Duration{time.Hour}, 0, ""},
		{"two of three over", rlcore.Budget{Duration: 8 * s}, []time.Duration{9 * s, 7 * s, 11 * s}, 3 * s, "2 of 3 deployments ran past their 8s wall budget"},
	}
	for _, tt := range tests {
		got, why := perRunOverrun(tt.budget, "deployments", tt.walls)
		if got != tt.want || !strings.Contains(why, tt.why) || (tt.why == "") != (why == "") {
			t.Errorf("%s: overrun %v, %q; want %v, %q", tt.name, got, why, tt.want, tt.why)
		}
	}
}

// A phase watched by widgets shows its overrun in the summary, so its log
// line drops to debug; a phase run from a terminal keeps it at info.
func TestLogOverrunLevel(t *testing.T) {
	for _, tt := range []struct {
		watched bool
		want    string
	}{{false, "level=INFO"}, {true, "level=DEBUG"}} {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		logOverrun(logger, tt.watched, "search ran past its wall budget", 1500*time.Millisecond, "1 pull running at the wall budget was let finish", "search", "s")
		line := buf.String()
		for _, w := range []string{tt.want, "search=s", "by=1.5s", `why="1 pull running`} {
			if !strings.Contains(line, w) {
				t.Errorf("watched %v: log %q lacks %q", tt.watched, line, w)
			}
		}
	}
}
