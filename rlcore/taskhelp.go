package rlcore

import (
	"sort"
	"sync"
)

// A task's long help (%supersonic help TASK): how it measures, what its
// references are and how to reproduce its numbers with the tools alone.
// It is registered apart from the Task value because it is often built
// from the task's own functions at run time.

var (
	helpMu    sync.RWMutex
	taskHelps = map[string]func() string{}
)

// RegisterTaskHelp registers the long help of task; help is called when
// the help is shown.
func RegisterTaskHelp(task string, help func() string) {
	helpMu.Lock()
	defer helpMu.Unlock()
	taskHelps[task] = help
}

// TaskHelp returns the long help of task, and false when it has none.
func TaskHelp(task string) (string, bool) {
	helpMu.RLock()
	h, ok := taskHelps[task]
	helpMu.RUnlock()
	if !ok {
		return "", false
	}
	return h(), true
}

// TaskNames lists the registered tasks, sorted.
func TaskNames() []string {
	var names []string
	for _, info := range List(KindTask, "") {
		names = append(names, info.Name)
	}
	sort.Strings(names)
	return names
}
