/**
 * Reading and writing NumPy {@code .npy} files of float32 arrays, so that convt's tensors can be
 * exchanged with NumPy and PyTorch. See {@link dev.convt.npy.Npy}.
 */
package dev.convt.npy;
