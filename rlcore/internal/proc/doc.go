// Package proc answers whether a process still exists, and when it
// started (to tell a process from a later one that reuses its pid): the
// run store uses it to find runs whose owner is gone, package scratch to
// remove the temporary folders of processes that were killed.
package proc
