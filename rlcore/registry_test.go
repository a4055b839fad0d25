package rlcore

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{in: "autophase", want: Ref{Name: "autophase"}},
		{in: " action-history(8) ", want: Ref{Name: "action-history", Args: []string{"8"}}},
		{in: "f(a, b)", want: Ref{Name: "f", Args: []string{"a", "b"}}},
		{in: "f()", want: Ref{Name: "f"}},
		{in: "", wantErr: true},
		{in: "(8)", wantErr: true},
		{in: "f(8", wantErr: true},
		{in: "f((8))", wantErr: true},
		{in: "two words", wantErr: true},
		{in: "pg dqn(lr=1)", wantErr: true},
		{in: "dqn(lr=1) pg", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseRef(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRef(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseRefSaysListsAreCommaSeparated(t *testing.T) {
	for in, want := range map[string]string{
		"dqn pg":       `lists are comma-separated; write "dqn, pg"`,
		"pg dqn(lr=1)": "lists are comma-separated (name, name(args), …)",
		"f(8":          "want name or name(args)",
	} {
		if _, err := ParseRef(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRef(%q) error = %v, want it to say %q", in, err, want)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"autophase", "action-history(8)", "f(a,b)", "(", "f(()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		again, err := ParseRef(r.String())
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("ParseRef(%q) = %#v; reparsing %q gave %#v, %v", s, r, r.String(), again, err)
		}
	})
}

func TestLookupErrorsListAllowedNames(t *testing.T) {
	_, err := LookupTransition("teleport", "")
	if err == nil {
		t.Fatal("unknown transition accepted")
	}
	for _, want := range []string{`unknown transition "teleport"`, "apply", "revert-if-worse", "replay-from-scratch"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := ParseKind("gizmos"); err == nil || !strings.Contains(err.Error(), "algorithms") {
		t.Errorf("ParseKind(gizmos) = %v, want an error listing the kinds", err)
	}
}

func TestComponentOfSeveralTasks(t *testing.T) {
	RegisterState(&State{Name: "test-two-task-state", Task: "task-a,task-b", Doc: "x"})
	for _, tt := range []struct {
		task string
		ok   bool
	}{{"task-a", true}, {"task-b", true}, {"", true}, {"task-c", false}} {
		_, err := LookupState("test-two-task-state", tt.task)
		if (err == nil) != tt.ok {
			t.Errorf("LookupState(test-two-task-state, %q) = %v, want ok %v", tt.task, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "belongs to tasks task-a, task-b, not task-c") {
			t.Errorf("error %q does not name both tasks", err)
		}
		listed := false
		for _, info := range List(KindState, tt.task) {
			listed = listed || info.Name == "test-two-task-state"
		}
		if listed != tt.ok {
			t.Errorf("List(states, %q) lists it: %v, want %v", tt.task, listed, tt.ok)
		}
	}
}

func TestRegisterTaskSpecificComponent(t *testing.T) {
	RegisterReward(&Reward{Name: "test-only-reward", Task: "test-task", Doc: "x",
		Func: func(*RewardSignal) (float64, error) { return 0, nil }})
	if _, err := LookupReward("test-only-reward", "test-task"); err != nil {
		t.Fatalf("lookup for its own task: %v", err)
	}
	_, err := LookupReward("test-only-reward", "other-task")
	if err == nil || !strings.Contains(err.Error(), "belongs to task test-task") {
		t.Fatalf("lookup for another task: %v, want a 'belongs to task' error", err)
	}
	found := false
	for _, info := range List(KindReward, "test-task") {
		found = found || info.Name == "test-only-reward"
	}
	if !found {
		t.Error("List(rewards, test-task) misses the registered reward")
	}
	for _, info := range List(KindReward, "other-task") {
		if info.Name == "test-only-reward" {
			t.Error("List(rewards, other-task) shows a reward of test-task")
		}
	}
}

func TestMultiDiscreteFlatten(t *testing.T) {
	m := MultiDiscrete{Nvec: []int{3, 4, 2}}
	seen := make(map[int]bool)
	for a := range 3 {
		for b := range 4 {
			for c := range 2 {
				x := []int{a, b, c}
				i := m.Flatten(x)
				if i < 0 || i >= m.Size() || seen[i] {
					t.Fatalf("Flatten(%v) = %d: out of range or repeated", x, i)
				}
				seen[i] = true
				if got := m.Unflatten(i); !reflect.DeepEqual(got, x) {
					t.Fatalf("Unflatten(Flatten(%v)) = %v", x, got)
				}
			}
		}
	}
}

func registerTwice(name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = r.(error)
		}
	}()
	for range 2 { // the same place registering again (a cell run again) replaces
		RegisterTransition(&Transition{Name: name, Doc: "first"})
	}
	RegisterTransition(&Transition{Name: name, Doc: "second"}) // another place
	return nil
}

func TestRegisterTwiceNamesBothPlaces(t *testing.T) {
	err := registerTwice("twice-registered")
	if err == nil {
		t.Fatal("a second registration from another place was accepted")
	}
	if strings.Count(err.Error(), "registry_test.go:") != 2 || !strings.Contains(err.Error(), `transition "twice-registered" registered twice`) {
		t.Fatalf("error %q: want both registration places", err)
	}
	if tr, _ := LookupTransition("twice-registered", ""); tr.Doc != "first" {
		t.Fatalf("the failed registration replaced the first: %+v", tr)
	}
}

func TestParseOptions(t *testing.T) {
	task := &Task{Name: "opts", Options: []Option{
		{Name: "n", Type: OptInt, Default: "3", Doc: "a count"},
		{Name: "on", Type: OptBool, Default: "false", Doc: "a switch"},
		{Name: "names", Type: OptList, Doc: "a list"},
		{Name: "wait", Type: OptDuration, Default: "1s", Doc: "a time"},
	}}
	for _, tc := range []struct {
		given   map[string]string
		want    OptionValues
		wantErr string
	}{
		{given: nil, want: OptionValues{"n": "3", "on": "false", "names": "", "wait": "1s"}},
		{given: map[string]string{"n": " 7 ", "names": "a, b"}, want: OptionValues{"n": "7", "on": "false", "names": "a, b", "wait": "1s"}},
		{given: map[string]string{"colour": "red"}, wantErr: `unknown option "colour"; task opts has options: n (int), on (bool), names (list), wait (duration)`},
		{given: map[string]string{"n": "many"}, wantErr: `option n = "many": not an integer (int: a count)`},
		{given: map[string]string{"wait": "soon"}, wantErr: "not a duration"},
	} {
		got, err := task.ParseOptions(tc.given)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseOptions(%v) error %v, want %q", tc.given, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseOptions(%v) = %v, %v; want %v", tc.given, got, err, tc.want)
		}
	}
	v, _ := task.ParseOptions(map[string]string{"names": "a, b", "on": "true"})
	if v.Int("n") != 3 || !v.Bool("on") || !reflect.DeepEqual(v.List("names"), []string{"a", "b"}) || v.Duration("wait") != time.Second {
		t.Errorf("getters: %v %v %v %v", v.Int("n"), v.Bool("on"), v.List("names"), v.Duration("wait"))
	}
}
