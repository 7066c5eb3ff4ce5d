package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.CheckpointMetadata;
import java.nio.file.Path;

/** A checkpoint whose metadata was written: {@code root} is its job's checkpoint root. */
public record CompletedCheckpoint(Path root, Path directory, CheckpointMetadata metadata) {

  public long id() {
    return metadata.getCheckpointId();
  }
}
