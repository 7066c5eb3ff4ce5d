package io.sluice.execution.checkpoint;

import java.util.List;

/**
 * Every operator instance's part of one checkpoint, once each subtask took it (or had ended), and
 * the longest any subtask spent aligning its barriers.
 */
public record TakenCheckpoint(List<OperatorSnapshot> snapshots, long alignmentNanos) {}
