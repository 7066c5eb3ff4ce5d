package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.OperatorState;
import java.util.List;

/**
 * Every operator instance's part of one checkpoint, once each subtask took it (or had ended); the
 * longest any subtask spent aligning its barriers, and the longest synchronous part (on a task
 * thread) any subtask took; the subtask that took its part last (null if none had to), for the
 * log of a slow checkpoint. On a cluster, the workers' parts arrive written already: what they
 * wrote, and its bytes.
 */
public record TakenCheckpoint(List<OperatorSnapshot> snapshots, long alignmentNanos, long synchronousNanos,
    String lastSubtask, List<OperatorState> writtenElsewhere, long bytesWrittenElsewhere,
    long bytesSharedElsewhere) {

  /** Snapshots all taken in this process, none written yet. */
  public TakenCheckpoint(List<OperatorSnapshot> snapshots, long alignmentNanos, long synchronousNanos,
      String lastSubtask) {
    this(snapshots, alignmentNanos, synchronousNanos, lastSubtask, List.of(), 0, 0);
  }
}
