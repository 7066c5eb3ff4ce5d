package io.sluice.execution.state;

import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.checkpoint.proto.StoreInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * The snapshot one operator instance wrote at a checkpoint, as a restore reads it: which backend
 * wrote which files (found under {@code root}), and which subtask of which parallelism it was.
 */
public record RestoredPart(
    String backend, List<StateFile> files, List<StoreInfo> stores, Path root, int subtask, int parallelism) {

  public Path location(StateFile file) {
    return root.resolve(file.getPath());
  }

  public StoreLayout layoutOf(String store) {
    for (StoreInfo info : stores) {
      if (info.getName().equals(store)) {
        return StoreLayout.valueOf(info.getLayout());
      }
    }
    throw new StateStoreException("checkpoint holds no layout for store '" + store + "'");
  }
}
