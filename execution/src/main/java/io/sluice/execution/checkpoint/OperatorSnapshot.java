package io.sluice.execution.checkpoint;

import io.sluice.execution.state.StoresSnapshot;

/**
 * One operator instance's part of a checkpoint, as its subtask took it: its stores' synchronous
 * snapshot (null when it has no stores, or had finished), and whether it had finished.
 */
public record OperatorSnapshot(
    String operatorId, int subtask, int parallelism, boolean finished, long inputWatermark, StoresSnapshot stores) {

  /** Releases the stores' snapshot if it will not be written. */
  void release() {
    if (stores != null) {
      stores.release();
    }
  }
}
