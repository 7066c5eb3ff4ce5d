/**
 * The contract between the engine and the operators it runs: the life cycle and checkpoint hooks
 * of an operator, what it may ask of the engine (its context), and where it emits.
 */
package io.sluice.execution.operator;
