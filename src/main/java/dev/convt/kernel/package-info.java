/**
 * The fast path (internal, not exported): planning and the vectorized kernels.
 *
 * <p><b>Planning.</b> {@link dev.convt.kernel.PackedWeights} is made once per layer: the weights
 * in PyTorch layout with a folded BatchNorm, and the bias. {@link dev.convt.kernel.ExecutionPlan}
 * is made once per input shape: it splits each axis into output phases ({@code AxisPhases}: a
 * stride-{@code s} transposed convolution is {@code s} dense stride-1 convolutions, one per output
 * phase, each with only the kernel taps that reach it, so nothing is ever multiplied by an
 * inserted zero), packs the weights for the chosen kernel ({@code WeightBlocks}, cached per layer)
 * and cuts the work into independent tasks. Then {@code runTask} only computes. {@code TaskRunner}
 * hands tasks to the caller's executor or to {@code SpinningPool}, whose workers poll briefly
 * between calls instead of paying an OS wake-up per layer.
 *
 * <p><b>Kernels.</b> Every plan but the depthwise one runs one register-blocked micro-kernel,
 * {@code TileKernel}: 4 broadcast operands x 4 vectors, 16 accumulators.
 * <ul>
 *   <li>{@code PixelTiledPlan}, for maps at least a vector wide: vectors over output pixels of a
 *       phase grid (read from a zero-padded input window packed once per task), weights of 4
 *       output rows (channel, y-phase, x-phase) broadcast. Sums go to a per-thread scratch; a store
 *       pass adds the bias, applies the epilogue and interleaves the phases.</li>
 *   <li>{@code ChannelTiledPlan}, for maps narrower than a vector (DCGAN's first layers): vectors
 *       over output channels of one phase, 4 input pixels broadcast straight from a panel of
 *       input rows ({@code [row][channel][column]}, zero columns around) that every tap and
 *       x-phase of the task shares.</li>
 *   <li>{@code DepthwisePlan}, one input channel per group and a stride dividing the vector
 *       length: each output vector computed in place, phases spread by a fixed rearrange.</li>
 * </ul>
 *
 * <p><b>Summation order.</b> Each output element is computed by exactly one task, in an order
 * fixed by the plan: in the tiled plans, float FMAs over the taps and input channels in the
 * packed order ({@code [y-tap][x-tap][input channel]}), then the bias is added, then the epilogue;
 * in the depthwise plan, the bias first, then the taps by (y-tap, x-tap). Which thread runs a task
 * never matters, so results are bitwise identical for any thread count. They differ from the
 * double-precision references by rounding only, within {@code n * 2^-24 * sum |x*w|} for an
 * element of {@code n} terms.
 *
 * <p><b>Memory.</b> Kernels read and write only inside the tensors' segments: vectors that would
 * reach past a segment's end (the first and last pixels of a tensor) are read and written lane by
 * lane. Per-thread scratch ({@code Workspace}) is grown once and reused, so a warm call on the
 * calling thread allocates nothing.
 */
package dev.convt.kernel;
