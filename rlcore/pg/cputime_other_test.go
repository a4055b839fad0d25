//go:build !unix

package pg

import "time"

// cpuTime is unavailable here; the benchmark then reports no CPU metric.
func cpuTime() time.Duration { return 0 }
