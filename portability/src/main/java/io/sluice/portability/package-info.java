/**
 * Portable pipelines on Sluice: a Beam Job API endpoint ({@code jobservice}) takes a pipeline proto
 * from any SDK, {@code translation} turns it into Sluice's job graph (the runner's own primitives on
 * the engine's operators, fused stages of user code as {@code operators.ExecutableStageOperator}),
 * and the engine runs it; user code runs in SDK harnesses over the Fn API.
 */
package io.sluice.portability;
