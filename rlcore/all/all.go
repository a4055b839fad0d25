// Package all registers every built-in Supersonic component: import it for
// its side effects to make the tasks (codesize, superopt, tensor, halide and the
// worked example), their state, reward, action and transition functions,
// and all client-RL algorithms and search methods available by name.
//
//	import _ "github.com/supersonic-rl/supersonic/rlcore/all"
//
// The kernel's magics import it in every expanded cell.
package all

import (
	_ "github.com/supersonic-rl/supersonic/rlcore/bandit"
	_ "github.com/supersonic-rl/supersonic/rlcore/baselines"
	_ "github.com/supersonic-rl/supersonic/rlcore/dqn"
	_ "github.com/supersonic-rl/supersonic/rlcore/mcts"
	_ "github.com/supersonic-rl/supersonic/rlcore/pg"
	_ "github.com/supersonic-rl/supersonic/rlcore/tabular"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/example"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/halide"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/superopt"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/tensor"
)
