package tensor

import (
	"context"
	"os"

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
		Name: serviceName,
		Setup: func() error {
			// OpenMP threads sleep as soon as a parallel region ends instead
			// of spinning for 200 ms (libomp's default), so that they do
			// not steal a core from the yardstick timed next.
			if err := os.Setenv("KMP_BLOCKTIME", "0"); err != nil {
				return err
			}
			runner = measure.NewRunner()
			return nil
		},
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
