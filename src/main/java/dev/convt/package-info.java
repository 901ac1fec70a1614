/**
 * The public API: describe a transposed convolution ({@link dev.convt.ConvTransposeSpec}), hold
 * off-heap tensors ({@link dev.convt.Tensor}), and run a planned layer
 * ({@link dev.convt.ConvTransposeLayer}).
 */
package dev.convt;
