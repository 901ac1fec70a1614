/**
 * Scalar reference implementations that define what convt computes, written for clarity and
 * checked against each other, against PyTorch and against ONNX Runtime; the fast kernels are
 * tested against them.
 *
 * <ul>
 *   <li>{@link dev.convt.reference.FourStepReference}: the textbook four steps (insert zeros,
 *       pad, flip the kernel, run a stride-1 convolution), with each intermediate map available
 *       for display.
 *   <li>{@link dev.convt.reference.DirectReference}: the definition, each input element
 *       scattering its products into the output; also the per-element magnitude sums from which
 *       tests derive rounding tolerances.
 *   <li>{@link dev.convt.reference.Conv2dReference}: the ordinary convolution whose adjoint the
 *       transposed convolution is, in 2-D with PyTorch's parameters and in 1-D, 2-D or 3-D for a
 *       geometry.
 *   <li>{@link dev.convt.reference.ConvolutionMatrix}: that convolution as a dense matrix
 *       {@code C}, so that the transposed convolution is {@code C}<sup>T</sup>.
 * </ul>
 *
 * <p>Every one takes 1, 2 or 3 spatial axes from a {@link dev.convt.ConvTransposeGeometry}. All of them sum in {@code double} and round once to {@code float}, so their results are
 * correctly rounded up to the (tiny) error of the double sums, and independent of summation order
 * for all practical inputs.
 */
package dev.convt.reference;
