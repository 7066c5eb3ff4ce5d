package io.sluice.execution.state;

import java.util.Arrays;

/** Encoded key bytes with value equality, usable as a hash-map key. */
public final class ByteKey implements Comparable<ByteKey> {

  private final byte[] bytes;
  private final int hash;

  public ByteKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hashOf(bytes);
  }

  /**
   * A well-spread hash of encoded key bytes, for partitioning and hash tables alike. Not
   * Arrays.hashCode: its multiplier 31 is smaller than a byte's range, so short keys (a varint is
   * one to three bytes) collide by the thousand, and no mixing afterwards can separate equal
   * hashes. FNV-1a over the bytes, then murmur3's finalizer.
   */
  public static int hashOf(byte[] bytes) {
    int h = 0x811c9dc5;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  public byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey && ((ByteKey) o).hash == hash && Arrays.equals(((ByteKey) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(ByteKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
