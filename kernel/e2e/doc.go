// Package e2e holds the kernel's end-to-end tests and benchmarks: they build
// the supersonic binary, register it as a kernelspec in a temporary
// JUPYTER_PATH, and drive it with Debian's jupyter_client and nbclient
// (/usr/bin/python3) or with the Go client of package client. They need gonb,
// goimports and gopls, which ./install.sh builds into the checkout's bin/.
package e2e
