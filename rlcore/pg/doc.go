// Package pg holds Supersonic's policy-gradient client RLs, registered as
// rlcore algorithms: "ppo" (clipped surrogate, GAE(λ), minibatch epochs),
// "a2c" (synchronous n-step advantage actor-critic) and "reinforce"
// (Monte-Carlo returns with a learned value baseline).
//
// All three train an actor and a critic as two separate MLPs (package nn):
// the policy network maps an observation to one logit per action and the
// value network to a state value. Separate networks keep the value loss
// from disturbing the policy's features, so no value-loss coefficient
// needs tuning against the policy loss; one Adam optimizer updates both,
// and gradient clipping applies to their joint global norm. Action masks
// (rlcore.Masker) set the logits of disallowed actions to −∞ while acting
// and while learning. Episodes cut by a time limit (Truncated) are
// bootstrapped with the critic's value of the last observation; episodes
// that end in an env error are cut without bootstrap, and training goes
// on.
//
// Every algorithm drives its env through an rlcore.Recorder, so budgets,
// cancellation, best-episode tracking and events behave as everywhere
// else, and returns the greedy policy (nn.Policy) of its final network.
package pg
