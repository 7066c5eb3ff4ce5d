package io.sluice.execution.state;

import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.checkpoint.proto.StoreInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed stores kept on the heap: the fast choice when state is small. A snapshot is a consistent
 * copy of every map (stored arrays are never modified, so copying the maps suffices), written to
 * one file off the task thread.
 */
public final class HeapKeyedStores implements KeyedStores {

  static final String BACKEND = "HEAP";

  /** Durable: what a checkpoint holds; lives with the operator instance. */
  private final Map<String, HeapByteStore> stores = new LinkedHashMap<>();
  /** Durable with the stores: how each one's entries are distributed. */
  private final Map<String, StoreLayout> layouts = new LinkedHashMap<>();

  /** Restores the stores of {@code restore}, keeping only the entries that belong here. */
  static HeapKeyedStores restore(StateRestore restore, Path scratch) {
    HeapKeyedStores restored = new HeapKeyedStores();
    restore.copyInto(restored, scratch);
    return restored;
  }

  @Override
  public SortedByteStore store(String name, StoreLayout layout) {
    StoreLayout known = layouts.putIfAbsent(name, layout);
    if (known != null && known != layout) {
      throw new IllegalArgumentException("store '" + name + "' is laid out as " + known + ", not " + layout);
    }
    return stores.computeIfAbsent(name, n -> new HeapByteStore());
  }

  @Override
  public StoresSnapshot snapshot(long checkpointId) {
    List<HeapSnapshotFormat.StoreCopy> copies = new ArrayList<>(stores.size());
    stores.forEach((name, store) -> copies.add(new HeapSnapshotFormat.StoreCopy(name, layouts.get(name), store.copyEntries())));
    return new StoresSnapshot() {
      @Override
      public WrittenState write(SnapshotFiles files) throws IOException {
        StateFile file = files.write(HeapSnapshotFormat.FILE_NAME, out -> HeapSnapshotFormat.write(copies, copies.size(), out));
        List<StoreInfo> infos = new ArrayList<>();
        for (HeapSnapshotFormat.StoreCopy copy : copies) {
          infos.add(StoreInfo.newBuilder().setName(copy.name()).setLayout(copy.layout().name()).build());
        }
        return new WrittenState(BACKEND, List.of(file), infos, file.getSize(), 0);
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void close() {
    stores.clear();
  }
}
