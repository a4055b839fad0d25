// Package envs holds Supersonic's built-in teaching environments: CartPole, a gridworld, a multi-armed bandit and a small deterministic tree, written from their published definitions.
package envs
