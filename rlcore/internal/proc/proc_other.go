//go:build !unix

package proc

// CanCheck is false: processes cannot be checked here.
const CanCheck = false

// Exists cannot check here: it says yes.
func Exists(int) bool { return true }

// Start is unknown here.
func Start(int) string { return "" }
