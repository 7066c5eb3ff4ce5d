package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.VarInts;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.ReadableState;

/**
 * A multimap as one entry per put under {@code cell | ENTRIES | varint len | encoded key |
 * sequence}. The length prefix makes one key's entries a prefix of their own, which no other key's
 * entries share, so get, remove and containsKey touch that key alone; the sequence lets equal
 * pairs coexist and keeps each key's values in insertion order.
 */
final class BinaryMultimapState<K, V> extends StoreCell implements MultimapState<K, V> {

  private final Coder<K> keyCoder;
  private final Coder<V> valueCoder;
  private final byte[] entries;

  BinaryMultimapState(SortedByteStore store, byte[] cell, Coder<K> keyCoder, Coder<V> valueCoder) {
    super(store, cell);
    this.keyCoder = keyCoder;
    this.valueCoder = valueCoder;
    this.entries = StateKeys.concat(cell, StateKeys.ENTRIES);
  }

  private byte[] keyGroup(K key) {
    return StateKeys.concat(entries, StateKeys.lengthPrefixed(encode(keyCoder, key)));
  }

  /** The encoded map key of a store key under {@link #entries}. */
  private byte[] encodedKeyOf(byte[] storeKey) {
    long varint = VarInts.read(storeKey, entries.length);
    int from = entries.length + VarInts.length(varint);
    return Arrays.copyOfRange(storeKey, from, from + VarInts.value(varint));
  }

  @Override
  public void put(K key, V value) {
    store.put(StateKeys.concat(keyGroup(key), StateKeys.longBytes(nextSequence())), encode(valueCoder, value));
  }

  @Override
  public ReadableState<Iterable<V>> get(K key) {
    byte[] group = keyGroup(key);
    return deferred(() -> collect(group, (k, v) -> decode(valueCoder, v)));
  }

  @Override
  public void remove(K key) {
    store.deletePrefix(keyGroup(key));
    dropCounterIfEmpty(entries);
  }

  @Override
  public ReadableState<Iterable<K>> keys() {
    return deferred(() -> {
      List<K> keys = new ArrayList<>();
      byte[] previous = null;
      // One key's entries are adjacent, so distinct keys are found by comparing neighbours.
      for (byte[] encoded : collect(entries, (k, v) -> encodedKeyOf(k))) {
        if (!Arrays.equals(encoded, previous)) {
          keys.add(decode(keyCoder, encoded));
          previous = encoded;
        }
      }
      return keys;
    });
  }

  @Override
  public ReadableState<Iterable<Map.Entry<K, V>>> entries() {
    return deferred(() -> collect(entries, (k, v) -> new AbstractMap.SimpleImmutableEntry<>(
        decode(keyCoder, encodedKeyOf(k)), decode(valueCoder, v))));
  }

  @Override
  public ReadableState<Boolean> containsKey(K key) {
    byte[] group = keyGroup(key);
    return deferred(() -> hasEntries(group));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> !hasEntries(entries));
  }

  @Override
  public void clear() {
    store.deletePrefix(cell);
  }
}
