/**
 * Operators that work alike in batch and streaming: sources, window assignment, flatten and the
 * sending side of keyed edges. None keeps state across elements beyond a source's readers, so
 * none needs to know the mode.
 */
package io.sluice.translation.operators.shared;
