package io.sluice.execution.checkpoint;

import java.util.List;

/**
 * Every operator instance's part of one checkpoint, once each subtask took it (or had ended); the
 * longest any subtask spent aligning its barriers, and the longest synchronous part (on a task
 * thread) any subtask took; the subtask that took its part last (null if none had to), for the
 * log of a slow checkpoint.
 */
public record TakenCheckpoint(List<OperatorSnapshot> snapshots, long alignmentNanos, long synchronousNanos,
    String lastSubtask) {}
