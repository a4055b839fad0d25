// Package dqn is Supersonic's value-based client RL: deep Q-learning,
// registered as the rlcore algorithm "dqn".
package dqn
