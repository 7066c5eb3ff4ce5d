package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import java.util.AbstractMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.ReadableStates;

/**
 * A map as one entry per key under {@code cell | encoded key}, so a lookup is one point read and
 * keys compare by encoding, as Beam's deterministic key coders promise.
 */
final class BinaryMapState<K, V> extends StoreCell implements MapState<K, V> {

  private final Coder<K> keyCoder;
  private final Coder<V> valueCoder;

  BinaryMapState(SortedByteStore store, byte[] cell, Coder<K> keyCoder, Coder<V> valueCoder) {
    super(store, cell);
    this.keyCoder = keyCoder;
    this.valueCoder = valueCoder;
  }

  private byte[] entryKey(K key) {
    return StateKeys.concat(cell, encode(keyCoder, key));
  }

  @Override
  public void put(K key, V value) {
    store.put(entryKey(key), encode(valueCoder, value));
  }

  /**
   * Writes at once rather than when the result is read: callers commonly ignore the result and
   * expect the entry to be there (StateInternalsTest.testMapReadable does).
   */
  @Override
  public ReadableState<V> computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    byte[] entryKey = entryKey(key);
    byte[] existing = store.get(entryKey);
    if (existing != null) {
      return ReadableStates.immediate(decode(valueCoder, existing));
    }
    V computed = mappingFunction.apply(key);
    if (computed != null) {
      store.put(entryKey, encode(valueCoder, computed));
    }
    return ReadableStates.immediate(null);
  }

  @Override
  public void remove(K key) {
    store.delete(entryKey(key));
  }

  @Override
  public ReadableState<V> get(K key) {
    return getOrDefault(key, null);
  }

  @Override
  public ReadableState<V> getOrDefault(K key, V defaultValue) {
    byte[] entryKey = entryKey(key);
    return deferred(() -> {
      byte[] bytes = store.get(entryKey);
      return bytes == null ? defaultValue : decode(valueCoder, bytes);
    });
  }

  @Override
  public ReadableState<Iterable<K>> keys() {
    return deferred(() -> collect(cell, (k, v) -> decodeSuffix(keyCoder, k, cell.length)));
  }

  @Override
  public ReadableState<Iterable<V>> values() {
    return deferred(() -> collect(cell, (k, v) -> decode(valueCoder, v)));
  }

  @Override
  public ReadableState<Iterable<Map.Entry<K, V>>> entries() {
    return deferred(() -> collect(cell, (k, v) -> new AbstractMap.SimpleImmutableEntry<>(
        decodeSuffix(keyCoder, k, cell.length), decode(valueCoder, v))));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> !hasEntries(cell));
  }

  @Override
  public void clear() {
    store.deletePrefix(cell);
  }
}
