package io.sluice.translation.records;

import io.sluice.execution.state.ByteKey;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * A windowed element travelling over a keyed edge, with its key already encoded: the hash that
 * picks the consumer subtask and the grouping on the other side both work on these bytes, so the
 * key is encoded once.
 *
 * <p>On the sending side a record holds the element as an object. On the receiving side it holds
 * what the edge's {@link KeyedRecordSerializer} made of the bytes: the decoded element, or, for
 * operators that keep their input encoded (batch grouping), a view of the element's bytes that is
 * valid only during the {@code process} call it is handed to.
 */
public final class KeyedRecord {

  private final byte[] key;
  private final WindowedValue<?> value;
  private final byte[] valueBytes;
  private final int valueOffset;
  private final int valueLength;
  private int hash;
  private boolean hashed;

  public KeyedRecord(byte[] key, WindowedValue<?> value) {
    this(key, value, null, 0, 0);
  }

  private KeyedRecord(byte[] key, WindowedValue<?> value, byte[] valueBytes, int valueOffset, int valueLength) {
    this.key = key;
    this.value = value;
    this.valueBytes = valueBytes;
    this.valueOffset = valueOffset;
    this.valueLength = valueLength;
  }

  /** A received record whose element is still encoded in {@code bytes[offset, offset + length)}. */
  static KeyedRecord encoded(byte[] key, byte[] bytes, int offset, int length) {
    return new KeyedRecord(key, null, bytes, offset, length);
  }

  public byte[] key() {
    return key;
  }

  /** The element; null for a record received encoded. */
  public WindowedValue<?> value() {
    return value;
  }

  /** The encoded element of a record received encoded, from {@link #valueOffset()} for {@link #valueLength()}. */
  public byte[] valueBytes() {
    return valueBytes;
  }

  public int valueOffset() {
    return valueOffset;
  }

  public int valueLength() {
    return valueLength;
  }

  /** A hash of the encoded key, spread so that similar keys land in different partitions. */
  public int keyHash() {
    if (!hashed) {
      hash = hashOf(key);
      hashed = true;
    }
    return hash;
  }

  /** Partitions a keyed edge; the engine calls it with the records the edge carries. */
  public static int keyHashOf(Object record) {
    return ((KeyedRecord) record).keyHash();
  }

  /** The partitioning hash of an encoded key. */
  public static int hashOf(byte[] encodedKey) {
    return ByteKey.hashOf(encodedKey);
  }
}
