package io.sluice.execution.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Keeps each key's state as an object on the heap: fastest when all state fits in memory. */
public final class HeapKeyedStateBackend<S> implements KeyedStateBackend<S> {

  private final Map<ByteKey, S> states = new HashMap<>();
  private final Function<byte[], S> stateForKey;

  public HeapKeyedStateBackend(Function<byte[], S> stateForKey) {
    this.stateForKey = stateForKey;
  }

  @Override
  public S state(byte[] key) {
    return states.computeIfAbsent(new ByteKey(key), k -> stateForKey.apply(k.bytes()));
  }

  @Override
  public void drop(byte[] key) {
    states.remove(new ByteKey(key));
  }

  @Override
  public Iterable<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>(states.size());
    for (ByteKey k : states.keySet()) {
      keys.add(k.bytes());
    }
    return keys;
  }

  @Override
  public void close() {
    states.clear();
  }
}
