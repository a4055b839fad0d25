//go:build !unix

package proc

import "time"

// CanCheck is false: processes cannot be checked here.
const CanCheck = false

// Exists cannot check here: it says yes.
func Exists(int) bool { return true }

// Start is unknown here.
func Start(int) string { return "" }

// CPUTime is unknown here: 0 (benchmarks then report no CPU metric).
func CPUTime() time.Duration { return 0 }
