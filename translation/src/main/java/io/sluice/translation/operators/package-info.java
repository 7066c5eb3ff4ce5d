/**
 * Sluice's operators, which run Beam's transforms on the engine, in subpackages by the mode they
 * serve: {@code batch}, {@code streaming}, {@code timely} (as input flows: streaming, and
 * splittable DoFns in batch too) and {@code shared} (either mode alike); {@code dofn} holds the
 * runners-core glue several of them use. Here is only what operators of every package need: their
 * output, and the engine's time in Beam's terms.
 */
package io.sluice.translation.operators;
