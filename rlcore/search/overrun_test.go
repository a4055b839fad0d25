package search

import (
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
