package rlcore

import (
	"strings"
	"testing"
	"time"
)

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in      string
		want    Budget
		wantErr string
	}{
		{in: "5m", want: Budget{Duration: 5 * time.Minute}},
		{in: "90s", want: Budget{Duration: 90 * time.Second}},
		{in: "200trials", want: Budget{Trials: 200}},
		{in: "200pulls", want: Budget{Pulls: 200}},
		{in: "5m,20pulls", want: Budget{Duration: 5 * time.Minute, Pulls: 20}},
		{in: "1000steps", want: Budget{Steps: 1000}},
		{in: "50episodes", want: Budget{Episodes: 50}},
		{in: "2m, 500steps", want: Budget{Duration: 2 * time.Minute, Steps: 500}},
		{in: "", wantErr: "empty budget"},
		{in: "soon", wantErr: "cannot read"},
		{in: "0steps", wantErr: "not a positive count"},
		{in: "-5s", wantErr: "must be > 0"},
		{in: "0s", wantErr: "must be > 0"}, // issue 18 item 9: was "cannot read"
		{in: "12parsecs", wantErr: "cannot read"},
	}
	for _, tt := range tests {
		got, err := ParseBudget(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseBudget(%q) error = %v, want it to mention %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseBudget(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		// String must read back to the same budget.
		back, err := ParseBudget(got.String())
		if err != nil || back != got {
			t.Errorf("ParseBudget(%q.String() = %q) = %+v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestBudgetExhausted(t *testing.T) {
	b := Budget{Steps: 10, Episodes: 3, Duration: time.Second}
	cases := []struct {
		steps, eps int
		elapsed    time.Duration
		want       bool
	}{
		{0, 0, 0, false},
		{9, 2, 999 * time.Millisecond, false},
		{10, 0, 0, true},
		{0, 3, 0, true},
		{0, 0, time.Second, true},
	}
	for _, c := range cases {
		if got := b.Exhausted(c.steps, c.eps, c.elapsed); got != c.want {
			t.Errorf("Exhausted(%d, %d, %v) = %v, want %v", c.steps, c.eps, c.elapsed, got, c.want)
		}
	}
	if (Budget{}).Exhausted(1e9, 1e9, time.Hour) {
		t.Error("the zero budget must never be exhausted")
	}
}

func FuzzParseBudget(f *testing.F) {
	for _, s := range []string{"5m", "200trials", "2m,500steps", "", "1h30m", "3episodes"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBudget(s)
		if err != nil {
			return
		}
		if b.IsZero() {
			t.Fatalf("ParseBudget(%q) accepted an empty budget", s)
		}
		back, err := ParseBudget(b.String())
		if err != nil || back != b {
			t.Fatalf("round trip of %q: %q → %+v, %v; want %+v", s, b.String(), back, err, b)
		}
	})
}

func TestBudgetProgress(t *testing.T) {
	s := Stats{Steps: 50, Episodes: 2, Elapsed: 30 * time.Second}
	cases := []struct {
		b    Budget
		want float64
	}{
		{Budget{}, 0},
		{Budget{Steps: 200, Duration: time.Minute}, 0.25},
		{Budget{Episodes: 8}, 0.25},
		{Budget{Duration: time.Minute}, 0.5},
	}
	for _, c := range cases {
		if got := c.b.Progress(s); got != c.want {
			t.Errorf("%v.Progress(%+v) = %v, want %v", c.b, s, got, c.want)
		}
	}
}

func TestBudgetCheck(t *testing.T) {
	for _, tc := range []struct {
		budget  string
		units   []Unit
		wantErr string
	}{
		{"50trials", SearchUnits, "a search counts pulls or time, not trials"},
		{"50pulls", SearchUnits, ""},
		{"2m,50pulls", SearchUnits, ""},
		{"2000steps", SearchUnits, "not steps"},
		{"20trials", TuningUnits, ""},
		{"20pulls", TuningUnits, "counts trials or time, not pulls"},
		{"2000steps,30s", TrainingUnits, ""},
		{"5pulls", TrainingUnits, "counts steps or episodes or time, not pulls"},
	} {
		b, err := ParseBudget(tc.budget)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Check("a search", tc.units...)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s.Check(%v) = %v, want %q", tc.budget, tc.units, err, tc.wantErr)
		}
	}
	if got := (Budget{Duration: time.Second}).Overrun(1500 * time.Millisecond); got != 500*time.Millisecond {
		t.Errorf("Overrun = %v, want 500ms", got)
	}
	if got := (Budget{Pulls: 3}).Overrun(time.Hour); got != 0 {
		t.Errorf("Overrun without a wall budget = %v", got)
	}
}
