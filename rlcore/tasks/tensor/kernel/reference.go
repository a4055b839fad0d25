package kernel

import "fmt"

// references are hand-written blocked schedules, one per operator, the
// way a performance engineer would write them for AVX-512 on two cores:
// a register tile of a few rows by 16–32 contiguous outputs accumulated
// in registers (acc at the inner reduction tile), cache blocking of the
// reduction, the weights packed, the outer tiles parallel.
var references = map[string]map[string]int{
	"gemm-512": {"s1.inner": 32, "s1.mid": 4, "s2.inner": 8, "s2.mid": 8, "r1.inner": 256,
		"order": 0, "innermost": 1, "acc": 2, "unroll": 512, "vec": 1, "par": 2, "pack": 1},
	"dense-bert": {"s1.inner": 32, "s1.mid": 4, "s2.inner": 8, "s2.mid": 4, "r1.inner": 256,
		"order": 0, "innermost": 1, "acc": 2, "unroll": 512, "vec": 1, "par": 2, "pack": 1},
	// k y x | c ry rx: 8 output channels × 8 columns of a row accumulated
	// in registers over 16 input channels and the 3×3 window.
	"conv2d-resnet18": {"s1.inner": 8, "s1.mid": 7, "s2.inner": 1, "s2.mid": 1, "s3.inner": 8, "s3.mid": 1,
		"r1.inner": 3, "r2.inner": 3, "r3.inner": 16,
		"order": 0, "innermost": 1, "acc": 2, "unroll": 64, "vec": 1, "par": 2, "pack": 1},
	"depthwise-mobilenetv2": {"s1.inner": 56, "s1.mid": 1, "s2.inner": 1, "s2.mid": 1, "s3.inner": 1, "s3.mid": 1,
		"r1.inner": 3, "r2.inner": 3,
		"order": 0, "innermost": 1, "acc": 1, "unroll": 16, "vec": 1, "par": 1},
	"batch-matmul-bert": {"s1.inner": 32, "s1.mid": 4, "s2.inner": 8, "s2.mid": 1, "s3.inner": 1, "s3.mid": 1,
		"r1.inner": 64, "order": 0, "innermost": 1, "acc": 2, "unroll": 512, "vec": 1, "par": 2},
	"softmax-bert": {"fuse": 1, "recip": 1, "exp": 1, "vec": 1, "unroll": 2, "par": 1},
}

// Reference returns the operator's hand-written blocked schedule.
func (sp *Space) Reference() (Schedule, error) {
	knobs, ok := references[sp.Op.Name]
	if !ok {
		return Schedule{}, fmt.Errorf("no reference schedule for %s", sp.Op.Name)
	}
	return sp.Parse(knobs)
}

// Parse builds a schedule from knob values; knobs not given keep their
// default, unknown knobs are errors.
func (sp *Space) Parse(knobs map[string]int) (Schedule, error) {
	s := sp.Default()
	for name, v := range knobs {
		var err error
		if s, err = s.With(name, v); err != nil {
			return s, fmt.Errorf("%s: %w", sp.Op.Name, err)
		}
	}
	if err := s.Valid(); err != nil {
		return s, fmt.Errorf("%s: %w", sp.Op.Name, err)
	}
	return s, nil
}
