package io.sluice.execution.state;

import java.io.IOException;

/**
 * A consistent view of an operator instance's stores taken at a checkpoint, written out by its
 * asynchronous part. Exactly one of {@link #write} and {@link #release} is called, on any thread.
 */
public interface StoresSnapshot {

  /** Writes the snapshot's files through {@code files} and releases what it held. */
  WrittenState write(SnapshotFiles files) throws IOException;

  /** Releases what the snapshot holds, without writing it (the checkpoint was abandoned). */
  void release();
}
