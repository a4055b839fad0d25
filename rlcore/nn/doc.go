// Package nn is Supersonic's small neural-network library: dense layers,
// multilayer perceptrons, a categorical policy head with action masking, a
// value head, losses, Adam, gradient clipping and a stable binary format
// for weights. It is pure Go on gonum, exact (every gradient is checked
// against finite differences in the tests) and fast for the small batched
// networks of client RLs.
//
// # Shapes and batches
//
// A batch of n vectors of width d is a flat []float64 of length n·d in
// row-major order (row r is x[r*d:(r+1)*d]). [Dense] holds W as an In×Out
// row-major matrix and computes y = x·W + b for every row. [MLP.Forward]
// keeps what [MLP.Backward] needs; Backward accumulates parameter gradients
// (call [MLP.ZeroGrad] between updates) and returns the gradient with
// respect to the input. Returned slices belong to the network and are
// overwritten by its next Forward or Backward.
//
// The products run on AVX2/FMA register-blocked assembly kernels when the
// CPU has them (amd64), and on gonum's BLAS otherwise or when built with
// -tags purego; both are checked against the definition in the tests. The
// tanh activation likewise runs four at a time on an AVX2 kernel (Cephes's
// rational function and exponential, within 2 ulp of math.Tanh) and on
// math.Tanh elsewhere.
//
// # Training
//
// [MLP.Params] and [MLP.Grads] return parallel lists of slices that an
// optimizer ([Adam]) and [ClipGradNorm] work on; the parameters of several
// networks are trained together by concatenating their lists.
// [MLP.CopyFrom] copies weights between networks of the same shape (target
// networks).
//
// # Policy and value heads
//
// A policy network is an MLP whose last layer has one identity output per
// action (the logits); [MaskLogits] sets the logits of disallowed actions to
// −∞ and [LogSoftmax] turns logits into log-probabilities stably, giving
// masked actions probability 0 and gradient 0. A value network is an MLP
// with one identity output. [NewPolicyNet] and [NewValueNet] build both with
// orthogonal initialisation. [PolicyGradientLoss] (REINFORCE, A2C) and
// [ClippedSurrogateLoss] (PPO) give the loss and its gradient with respect
// to the logits, entropy bonus included; [MSE] and [Huber] do the same for
// value regression. [Policy] wraps a policy network as a greedy
// rlcore.Policy.
//
// # Weight format
//
// [MLP.MarshalBinary] writes, all integers little-endian:
//
//	offset  size  content
//	0       8     magic "SSNNMLP\x00"
//	8       4     format version, uint32 = 1
//	12      4     number of layers L, uint32 (1 ≤ L ≤ 64)
//	16      12·L  per layer: In uint32, Out uint32, activation uint32
//	              (0 identity, 1 tanh, 2 relu)
//	…             per layer in order: W as In·Out float64 (IEEE 754
//	              binary64, little-endian, row-major In×Out), then B as
//	              Out float64
//
// Consecutive layers must agree (Out of layer k = In of layer k+1), widths
// are between 1 and 1<<20, and nothing may follow the last bias. A [Policy]
// marshals to exactly its network's bytes. Readers reject other magics,
// versions and any inconsistency with an error saying what was wrong.
package nn
