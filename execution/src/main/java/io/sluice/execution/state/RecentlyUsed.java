package io.sluice.execution.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps its {@code maxSize} most recently used entries, dropping the least recently
 * used one when it grows past: what the derived caches beside keyed state (timers set lately,
 * state views of recent keys, encodings) are built on.
 */
public final class RecentlyUsed<K, V> extends LinkedHashMap<K, V> {

  private final int maxSize;

  public RecentlyUsed(int maxSize) {
    super(Math.min(maxSize, 1024), 0.75f, true);
    this.maxSize = maxSize;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > maxSize;
  }
}
