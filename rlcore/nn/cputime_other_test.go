//go:build !unix

package nn

import "time"

// cpuTime is unavailable here; the benchmarks then report no CPU metric.
func cpuTime() time.Duration { return 0 }
