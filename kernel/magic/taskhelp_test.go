package magic

import (
	"strings"
	"testing"

	_ "github.com/supersonic-rl/supersonic/rlcore/all" // real tasks (codesize has a long help) and the components they use
)

func TestHelpOfATask(t *testing.T) {
	exp, err := Run("%supersonic help codesize")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"task codesize", `opt-19 --relocation-model=pic -passes='default<Oz>'`, "clang-19 -O0 -Xclang -disable-O0-optnone"} {
		if !strings.Contains(exp.Code, want) {
			t.Errorf("the help of codesize lacks %q:\n%s", want, exp.Code)
		}
	}
	if _, err := Run("%supersonic help nosuch"); err == nil || !strings.Contains(err.Error(), "no magic or task \"nosuch\"") || !strings.Contains(err.Error(), "tasks: codesize") {
		t.Errorf("help of an unknown topic: %v", err)
	}
}
