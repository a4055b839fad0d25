package schedule

// Grouped is this package's greedy grouping of a pipeline, the way
// Mullapudi2016 groups pipelines: from the output towards the input, a
// stage its consumers read pointwise (without updates, and without a
// consumer looping over a variable the stage lacks, such as a colour
// channel over a grey level: Func.Broadcast) is inlined; a stage read at
// scaled or computed coordinates (a pyramid level, a gather:
// Func.Resampled), a reduction with non-pure updates, or a stage whose
// consumers run in different groups starts a group of its own
// (compute_root, vectorized at the native width, parallel); every other
// stage (read through a stencil) is computed per tile of its group's root
// and vectorized. The output, and every group root that has stages
// computed at its tiles, is tiled (FusedTile, smaller for a small
// output). Updates with reduction loops run them outside the vectorized
// x loop (order router). A group root without members, other than the
// output, runs its channel loops (c, co) outermost and parallel (order
// couter).
func Grouped(p *Pipeline) Schedule { return grouped(p, false) }

// GroupedRows is Grouped with every reduction that a consumer reads for
// each value of a variable it lacks (Func.Broadcast: a weighted sum read
// by every colour channel) a group root, and the members computed per
// row of their group root (compute_at its y loop) instead of per tile,
// no root tiled: the placement Mullapudi2016 gives nl_means, whose
// weights and box-filtered distances it computes per row of the weighted
// sum.
func GroupedRows(p *Pipeline) Schedule { return grouped(p, true) }

func grouped(p *Pipeline, rows bool) Schedule {
	s := Default(p)
	n := len(p.Stages)
	s.Stages[n-1] = groupRoot(p.Stages[n-1])
	if !rows {
		s.tileGroup(n - 1)
	}
	for i := n - 2; i >= 0; i-- {
		f := p.Stages[i]
		if f.Updates == 0 && f.Pointwise && !f.Broadcast {
			s.Stages[i] = Stage{Compute: Inline}
			if s.Check() == nil {
				continue
			}
		}
		s.Stages[i] = groupRoot(f)
		if f.Resampled || (f.Updates > 0 && (!f.PureUpdates || rows && f.Broadcast)) || len(f.Vars) == 0 || !s.oneGroup(i) {
			continue
		}
		s.Stages[i] = groupMember(f)
		if rows {
			s.Stages[i].Compute = Rows
		}
		if s.Check() != nil {
			s.Stages[i] = groupRoot(f)
			continue
		}
		if !rows {
			s.tileGroup(s.Consumer(i))
		}
		if s.Check() != nil {
			s.Stages[i] = groupRoot(f)
		}
	}
	// a group root of its own (no members, not the output) with channel
	// loops runs them outermost and in parallel, as Mullapudi2016 runs
	// pyramid levels: a few large tasks rather than many short rows
	for i := range n - 1 {
		if st := &s.Stages[i]; st.Compute == Root && st.Order == Natural && st.TileX == 0 && st.TileY == 0 && len(p.Stages[i].Vars) > 2 && !s.hasMembers(i) {
			st.Order = COuter
		}
	}
	return s
}

// hasMembers says whether some stage is computed at a loop of stage i.
func (s Schedule) hasMembers(i int) bool {
	for j, st := range s.Stages {
		if (st.Compute == Rows || st.Compute == Tiles) && s.Consumer(j) == i {
			return true
		}
	}
	return false
}

// groupRoot is a stage that starts a group: computed at the root,
// vectorized at the native width and parallel, its reduction loops (if
// any) outside the vectorized x loop.
func groupRoot(f Func) Stage {
	st := vectorParallel(f)
	if f.PureUpdates && len(f.RVars) > 0 && len(f.Vars) > 0 {
		st.Order = ROuter
	}
	return st
}

// groupMember is a stage computed per tile of its group's root,
// vectorized at the native width.
func groupMember(f Func) Stage {
	st := groupRoot(f)
	st.Compute, st.Parallel = Tiles, false
	return st
}

// tileGroup tiles group root i (FusedTile, smaller for a small output)
// unless it is tiled already or has fewer than two variables.
func (s *Schedule) tileGroup(i int) {
	p, st := s.Pipeline, &s.Stages[i]
	if len(p.Stages[i].Vars) >= 2 && len(p.OutExtents) >= 2 && st.TileX == 0 && st.TileY == 0 {
		st.TileX = fusedTile(p.OutExtents[0], FusedTile[0])
		st.TileY = fusedTile(p.OutExtents[1], FusedTile[1])
	}
}

// Blocked is Grouped with every stage that has pure updates with
// reduction loops over x and y register-blocked (RegisterBlock), as
// Adams2019 schedules a convolution: a group member's block tile is cut
// to its group root's tile (it is computed per tile of it), and a member
// whose root's tile is narrower than a native vector, or that is not
// computed per tile, stays as Grouped has it.
func Blocked(p *Pipeline) Schedule {
	s := Grouped(p)
	for i, f := range p.Stages {
		st, ok := RegisterBlock(f, s.Stages[i])
		if !ok {
			continue
		}
		if st.Compute == Tiles || st.Compute == Rows {
			root := s.Stages[s.Consumer(i)]
			if st.Compute == Rows || root.TileX < st.Vector || root.TileY == 0 {
				continue
			}
			st.TileX, st.TileY = min(st.TileX, root.TileX/st.Vector*st.Vector), min(st.TileY, root.TileY)
		}
		out := p.Stages[len(p.Stages)-1]
		if len(f.Vars) > 2 && len(out.Vars) > 2 && f.Vars[2] == out.Vars[2] && len(p.OutExtents) > 2 && p.OutExtents[2]%BlockTile[2] == 0 {
			st.BlockC = BlockTile[2]
		}
		t := s.Clone()
		t.Stages[i] = st
		if t.Check() == nil {
			s = t
		}
	}
	return s
}
