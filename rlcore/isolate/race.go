//go:build race

package isolate

// raceEnabled: the race detector reserves terabytes of shadow address
// space, so a race-enabled worker cannot run under RLIMIT_AS.
const raceEnabled = true
