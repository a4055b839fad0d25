package superopt

import (
	"context"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

// Issue 18, item 2: a superopt search without z3 opened fine and reported
// 10 successful pulls at quality 1 while 27,445 episodes failed. Now the
// task checks for z3 when it opens and says how to install it; without
// proofs (verify: false) it still opens.
func TestOpenWithoutZ3SaysWhatIsMissing(t *testing.T) {
	tasktest.MissingTools(t, TaskName, nil, "z3", "./install.sh", "apt-get install z3", "verify: false")
	p, err := rlcore.OpenTask(context.Background(), TaskName, map[string]string{"verify": "false"}, 1, nil)
	if err != nil {
		t.Fatalf("verify: false still needs z3: %v", err)
	}
	p.Close()
}

// Issue 18, item 9: an empty target was accepted and searched.
func TestSearchRejectsAnEmptyTarget(t *testing.T) {
	p01, _ := hd.Lookup("p01")
	empty, err := x86.Parse("  # nothing but a comment\n")
	if err != nil {
		t.Fatal(err)
	}
	spec := stoke.Spec{LiveIn: p01.LiveIn, LiveOut: p01.LiveOut, OutWidth: p01.OutWidth}
	_, err = stoke.Search(context.Background(), spec, empty, stoke.Config{Proposals: 10})
	if err == nil || !strings.Contains(err.Error(), "target program is empty") {
		t.Fatalf("searching an empty target: %v, want a clear error", err)
	}
}
