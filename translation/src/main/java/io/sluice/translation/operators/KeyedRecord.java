package io.sluice.translation.operators;

import io.sluice.execution.state.ByteKey;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * A windowed element travelling over a keyed edge, with its key already encoded: the hash that
 * picks the consumer subtask and the grouping on the other side both work on these bytes, so the
 * key is encoded once.
 */
public final class KeyedRecord {

  private final byte[] key;
  private final int hash;
  private final WindowedValue<?> value;

  public KeyedRecord(byte[] key, WindowedValue<?> value) {
    this.key = key;
    this.hash = hashOf(key);
    this.value = value;
  }

  public byte[] key() {
    return key;
  }

  public WindowedValue<?> value() {
    return value;
  }

  /** A hash of the encoded key, spread so that similar keys land in different partitions. */
  public int keyHash() {
    return hash;
  }

  /** Partitions a keyed edge; the engine calls it with the records the edge carries. */
  public static int keyHashOf(Object record) {
    return ((KeyedRecord) record).hash;
  }

  /** The partitioning hash of an encoded key. */
  public static int hashOf(byte[] encodedKey) {
    return ByteKey.hashOf(encodedKey);
  }

}
