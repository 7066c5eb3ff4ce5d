package io.sluice.execution.state;

import java.util.List;

/**
 * What an operator instance restores: the snapshots of every instance whose entries may belong to
 * it (one, at the parallelism they were written at; several when the parallelism changed), and
 * which subtask of which parallelism it is now, so that each entry lands where it belongs.
 */
public record StateRestore(List<RestoredPart> parts, KeyGroups keyGroups, int subtask, int parallelism) {

  /** True if this instance takes over one snapshot as it is: same subtask, same parallelism. */
  public boolean isOneToOne() {
    return parts.size() == 1 && parts.get(0).subtask() == subtask && parts.get(0).parallelism() == parallelism;
  }

  /**
   * Puts into {@code target} every entry of every part that belongs here (all of them when this
   * instance takes one snapshot over as it is), whichever backend wrote it; {@code scratch} is a
   * directory a disk backend's snapshot may be opened in.
   */
  void copyInto(KeyedStores target, java.nio.file.Path scratch) {
    boolean all = isOneToOne();
    for (RestoredPart part : parts) {
      StateBackendKind.of(part.backend()).readEntries(part, scratch, (store, layout, key, value) -> {
        if (all || belongsHere(layout, key)) {
          layout.merge(target.store(store, layout), key, value);
        }
      });
    }
  }

  /** True if the entry under {@code key} of a store laid out as {@code layout} belongs here. */
  public boolean belongsHere(StoreLayout layout, byte[] key) {
    return layout.belongsTo(key, keyGroups, subtask, parallelism);
  }
}
