package tensor

import (
	"context"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/measure"
)

// serviceName is the isolate service whose workers load and time the
// compiled schedules: a kernel that faults, hangs or hogs memory costs one
// measurement, and the worker is replaced.
const serviceName = "tensor"

// runner is the worker process's measure.Runner (loaded schedules, input
// buffers).
var runner *measure.Runner

type peakRequest struct {
	Path string
	Runs int
}

func init() {
	isolate.Register(isolate.Service{
		Name:  serviceName,
		Setup: func() error { runner = measure.NewRunner(); return nil },
		Handlers: map[string]isolate.Handler{
			"measure": isolate.GobHandler(func(ctx context.Context, r *measure.Request) (*measure.Response, error) {
				return runner.Run(ctx, *r)
			}),
			"peak": isolate.GobHandler(func(ctx context.Context, r *peakRequest) (*measure.Peak, error) {
				p, err := runner.Peak(ctx, r.Path, r.Runs)
				return &p, err
			}),
		},
	})
}
