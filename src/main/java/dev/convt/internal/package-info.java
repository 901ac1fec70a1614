/**
 * Small rules that several packages share (internal, not exported), each written once so that
 * messages and checks agree everywhere.
 */
package dev.convt.internal;
