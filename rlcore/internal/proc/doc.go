// Package proc answers questions about processes: whether one still
// exists, and when it started (to tell a process from a later one that
// reuses its pid), which the run store uses to find runs whose owner is
// gone and package scratch to remove the temporary folders of processes
// that were killed; and how much CPU time this one has used, which the
// benchmarks report beside wall-clock figures on a shared machine.
package proc
