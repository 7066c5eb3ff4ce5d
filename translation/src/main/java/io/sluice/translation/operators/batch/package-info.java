/**
 * Operators of batch jobs only, which count on their input ending: grouping and stateful ParDos
 * take keys one at a time once it has (values kept encoded and spilled past the memory budget,
 * state on the heap for one key, every timer fired at the end of time), ParDos read side inputs
 * whole, and a lifted combine's halves hold their tables until the end.
 */
package io.sluice.translation.operators.batch;
