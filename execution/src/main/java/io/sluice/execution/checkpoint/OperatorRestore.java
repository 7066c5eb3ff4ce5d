package io.sluice.execution.checkpoint;

import io.sluice.execution.state.StateRestore;

/**
 * What one operator instance takes over from a checkpoint: whether it had finished (it then
 * stays finished), and its stores' contents (null when the checkpoint holds none for it).
 */
public record OperatorRestore(long checkpointId, boolean finished, long inputWatermark, StateRestore stores) {}
