package envs

import (
	"context"
	"fmt"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// CliffWalking is the layout of the cliff-walking gridworld of Sutton &
// Barto, "Reinforcement Learning: An Introduction" (2nd ed., 2018),
// Example 6.6: a 4×12 grid, start S in the bottom-left corner, goal G in
// the bottom-right corner and the cliff C between them. Every move costs
// -1; stepping into the cliff costs -100 and sends the agent back to S.
// The optimal path walks along the cliff edge in 13 moves (return -13).
var CliffWalking = []string{
	"............",
	"............",
	"............",
	"SCCCCCCCCCCG",
}

// The gridworld's actions.
const (
	Up = iota
	Right
	Down
	Left
)

var gridActionNames = [4]string{"up", "right", "down", "left"}

// Rewards of the gridworld, as in Sutton & Barto's Example 6.6.
const (
	GridStepReward  = -1.0   // every move, including the move into the goal
	GridCliffReward = -100.0 // a move into a cliff cell, which also returns to the start
)

// GridOptions configures NewGridworld. The zero value is Sutton & Barto's
// setting with a discrete observation.
type GridOptions struct {
	// MaxSteps truncates an episode after that many moves; zero means
	// 10 × the number of cells.
	MaxSteps int
	// OneHot makes the observation a one-hot Box over the cells instead of
	// the cell index as a Discrete space.
	OneHot bool
	// Shaping adds the potential-based shaping term
	// Shaping × (d(s) − d(s')) to every reward, where d is the number of
	// moves from a cell to the goal (Ng, Harada & Russell, 1999). It keeps
	// the optimal policies and makes one-step look-ahead (greedy search)
	// informative. Zero means no shaping.
	Shaping float64
}

// Gridworld is a deterministic grid of cells. The layout is a list of
// equally long rows of these characters:
//
//	S  the start (exactly one)
//	G  the goal (exactly one); entering it ends the episode
//	.  a free cell
//	#  a wall: moves into it (or off the grid) leave the agent in place
//	C  a cliff: entering it costs GridCliffReward and returns to the start
//
// Actions are Up, Right, Down, Left. The observation is the index
// row×cols+col of the agent's cell (or its one-hot encoding). Gridworld
// implements rlcore.Forker (a fork is a plain copy) and rlcore.ActionNamer.
type Gridworld struct {
	rows, cols int
	cells      []byte // layout, row major
	start      int
	goal       int
	dist       []int // moves to the goal, -1 when unreachable
	opts       GridOptions

	pos   int
	steps int
}

// NewGridworld builds a gridworld from layout (see Gridworld for the
// characters) and opts.
func NewGridworld(layout []string, opts GridOptions) (*Gridworld, error) {
	if len(layout) == 0 || len(layout[0]) == 0 {
		return nil, fmt.Errorf("gridworld: empty layout: want rows of S, G, '.', '#', 'C'")
	}
	if opts.MaxSteps < 0 {
		return nil, fmt.Errorf("gridworld: MaxSteps = %d: want 0 (default) or a positive count", opts.MaxSteps)
	}
	g := &Gridworld{rows: len(layout), cols: len(layout[0]), start: -1, goal: -1, opts: opts}
	for r, row := range layout {
		if len(row) != g.cols {
			return nil, fmt.Errorf("gridworld: row %d has %d cells, row 0 has %d: rows must be equally long", r, len(row), g.cols)
		}
		for c := range len(row) {
			ch := row[c]
			i := r*g.cols + c
			switch ch {
			case 'S':
				if g.start >= 0 {
					return nil, fmt.Errorf("gridworld: second start S at row %d, column %d: want exactly one", r, c)
				}
				g.start = i
			case 'G':
				if g.goal >= 0 {
					return nil, fmt.Errorf("gridworld: second goal G at row %d, column %d: want exactly one", r, c)
				}
				g.goal = i
			case '.', '#', 'C':
			default:
				return nil, fmt.Errorf("gridworld: row %d, column %d: unknown cell %q: allowed are S, G, '.', '#', 'C'", r, c, ch)
			}
			g.cells = append(g.cells, ch)
		}
	}
	if g.start < 0 || g.goal < 0 {
		return nil, fmt.Errorf("gridworld: the layout needs one start S and one goal G")
	}
	if g.opts.MaxSteps == 0 {
		g.opts.MaxSteps = 10 * len(g.cells)
	}
	g.dist = g.distances()
	if g.dist[g.start] < 0 {
		return nil, fmt.Errorf("gridworld: the goal cannot be reached from the start without crossing walls or cliffs")
	}
	g.pos = g.start
	return g, nil
}

// distances runs a breadth-first search back from the goal over cells that
// are neither walls nor cliffs.
func (g *Gridworld) distances() []int {
	dist := make([]int, len(g.cells))
	for i := range dist {
		dist[i] = -1
	}
	dist[g.goal] = 0
	queue := []int{g.goal}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for a := range 4 {
			next, ok := g.move(cur, a)
			if !ok || dist[next] >= 0 || g.cells[next] == 'C' {
				continue
			}
			dist[next] = dist[cur] + 1
			queue = append(queue, next)
		}
	}
	return dist
}

// move returns the cell reached from cell i by action a, and false when
// the move is blocked (edge or wall).
func (g *Gridworld) move(i, a int) (int, bool) {
	r, c := i/g.cols, i%g.cols
	switch a {
	case Up:
		r--
	case Right:
		c++
	case Down:
		r++
	case Left:
		c--
	}
	if r < 0 || r >= g.rows || c < 0 || c >= g.cols || g.cells[r*g.cols+c] == '#' {
		return i, false
	}
	return r*g.cols + c, true
}

// ObservationSpace is Discrete(cells), or Box(cells) in [0, 1] when OneHot.
func (g *Gridworld) ObservationSpace() rlcore.Space {
	if g.opts.OneHot {
		return rlcore.NewBox(len(g.cells), 0, 1)
	}
	return rlcore.Discrete{N: len(g.cells)}
}

// ActionSpace is Discrete(4): Up, Right, Down, Left.
func (g *Gridworld) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: 4} }

// ActionName names the four moves.
func (g *Gridworld) ActionName(a int) string {
	if a < 0 || a >= len(gridActionNames) {
		return fmt.Sprintf("action(%d)", a)
	}
	return gridActionNames[a]
}

// Reset puts the agent on the start cell. The gridworld has no benchmarks:
// the name is ignored.
func (g *Gridworld) Reset(ctx context.Context, _ string) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g.pos, g.steps = g.start, 0
	return g.observe(), nil
}

// Step moves the agent.
func (g *Gridworld) Step(ctx context.Context, action int) (rlcore.StepResult, error) {
	if err := ctx.Err(); err != nil {
		return rlcore.StepResult{}, err
	}
	if action < 0 || action > Left {
		return rlcore.StepResult{}, fmt.Errorf("gridworld: action %d: want 0 (up), 1 (right), 2 (down) or 3 (left)", action)
	}
	if g.pos == g.goal || g.steps >= g.opts.MaxSteps {
		return rlcore.StepResult{}, fmt.Errorf("gridworld: step after the end of the episode: call Reset first")
	}
	from := g.pos
	next, _ := g.move(g.pos, action)
	reward := GridStepReward
	if g.cells[next] == 'C' {
		reward, next = GridCliffReward, g.start
	}
	g.pos = next
	g.steps++
	if g.opts.Shaping != 0 {
		reward += g.opts.Shaping * float64(g.dist[from]-g.dist[g.pos])
	}
	return rlcore.StepResult{
		Obs:        g.observe(),
		Reward:     reward,
		Terminated: g.pos == g.goal,
		Truncated:  g.pos != g.goal && g.steps >= g.opts.MaxSteps,
	}, nil
}

// Fork returns an independent copy of the gridworld in its current state.
func (g *Gridworld) Fork(context.Context) (rlcore.Env, error) {
	c := *g
	return &c, nil
}

func (g *Gridworld) observe() []float64 {
	if g.opts.OneHot {
		obs := make([]float64, len(g.cells))
		obs[g.pos] = 1
		return obs
	}
	return []float64{float64(g.pos)}
}

// Position is the agent's current row and column.
func (g *Gridworld) Position() (row, col int) { return g.pos / g.cols, g.pos % g.cols }

// ShortestPath is the least number of moves from the start to the goal.
func (g *Gridworld) ShortestPath() int { return g.dist[g.start] }

// OptimalReturn is the return of a shortest path.
func (g *Gridworld) OptimalReturn() float64 {
	n := float64(g.ShortestPath())
	return n*GridStepReward + g.opts.Shaping*n
}

// String draws the grid with the agent as A.
func (g *Gridworld) String() string {
	var b strings.Builder
	for r := range g.rows {
		for c := range g.cols {
			if i := r*g.cols + c; i == g.pos {
				b.WriteByte('A')
			} else {
				b.WriteByte(g.cells[i])
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	_ rlcore.Forker      = (*Gridworld)(nil)
	_ rlcore.ActionNamer = (*Gridworld)(nil)
)
