package io.sluice.execution.state;

import java.util.HashMap;
import java.util.Map;

/** Keyed stores kept on the heap: the fast choice when state is small. */
public final class HeapKeyedStores implements KeyedStores {

  private final Map<String, HeapByteStore> stores = new HashMap<>();

  @Override
  public SortedByteStore store(String name) {
    return stores.computeIfAbsent(name, n -> new HeapByteStore());
  }

  @Override
  public void close() {
    stores.clear();
  }
}
