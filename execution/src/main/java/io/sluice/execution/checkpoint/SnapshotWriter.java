package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.OperatorState;
import io.sluice.execution.checkpoint.proto.SubtaskState;
import io.sluice.execution.state.WrittenState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes operator instances' snapshots of one checkpoint into its directory, forced to disk, and
 * says what was written: the checkpoint's metadata for those instances. The coordinator of an
 * embedded job writes all of them; on a cluster each worker writes its own part into the shared
 * checkpoint directory and sends the coordinator what it wrote.
 */
public final class SnapshotWriter {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);

  /** What a writer wrote: each operator's instances, and the bytes new and shared. */
  public record Written(List<OperatorState> operators, long bytesWritten, long bytesShared) {}

  private SnapshotWriter() {}

  /**
   * Writes {@code snapshots} (and releases them, whatever happens), stopping early when {@code
   * wanted} turns false.
   */
  public static Written write(CheckpointStorage storage, long checkpointId, List<OperatorSnapshot> snapshots,
      BooleanSupplier wanted) throws IOException {
    long bytesWritten = 0;
    long bytesShared = 0;
    Map<String, OperatorState.Builder> operators = new LinkedHashMap<>();
    List<Path> unforced = new ArrayList<>();
    try {
      for (OperatorSnapshot snapshot : snapshots) {
        if (!wanted.getAsBoolean()) {
          break;
        }
        SubtaskState.Builder state = SubtaskState.newBuilder()
            .setSubtaskIndex(snapshot.subtask())
            .setFinished(snapshot.finished())
            .setInputWatermark(snapshot.inputWatermark());
        if (snapshot.stores() != null) {
          WrittenState written = snapshot.stores().write(
              storage.filesFor(checkpointId, snapshot.operatorId(), snapshot.subtask(), unforced));
          state.setBackend(written.backend()).addAllFiles(written.files()).addAllStores(written.stores());
          bytesWritten += written.bytesWritten();
          bytesShared += written.bytesShared();
        }
        operators.computeIfAbsent(snapshot.operatorId(), id -> OperatorState.newBuilder()
            .setOperatorId(id).setParallelism(snapshot.parallelism())).addSubtasks(state);
      }
      CheckpointFileWriter.force(unforced);
    } finally {
      releaseAll(snapshots);
    }
    List<OperatorState> built = new ArrayList<>();
    operators.values().forEach(b -> built.add(b.build()));
    return new Written(built, bytesWritten, bytesShared);
  }

  /** Releases snapshots that will not be written. */
  public static void releaseAll(List<OperatorSnapshot> snapshots) {
    for (OperatorSnapshot snapshot : snapshots) {
      try {
        snapshot.release();
      } catch (RuntimeException e) {
        LOG.warn("Could not release a snapshot of {}", snapshot.operatorId(), e);
      }
    }
  }
}
