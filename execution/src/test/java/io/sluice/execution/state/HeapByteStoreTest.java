package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapByteStoreTest extends SortedByteStoreContract {

  private final HeapByteStore store = new HeapByteStore();

  @Override
  protected SortedByteStore store() {
    return store;
  }

  @Test
  void keysAreComparedByContentNotIdentity() {
    store.put(bytes(1, 2), bytes(1));
    store.put(bytes(1, 2), bytes(2));
    assertEquals(1, store.size());
    assertEquals(List.of("0102=02"), drain(store.scan(bytes(1))));
  }

  @Test
  void keysPutAheadOfAnOpenCursorAreSeen() {
    store.put(bytes(1), bytes(1));
    store.put(bytes(5), bytes(5));
    try (SortedByteStore.Cursor cursor = store.range(bytes(), null)) {
      cursor.next();
      store.put(bytes(3), bytes(3));
      assertEquals("03", hex(cursor.next().getKey()));
      assertEquals("05", hex(cursor.next().getKey()));
    }
  }
}
