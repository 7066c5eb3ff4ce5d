package io.sluice.execution.state;

import java.util.Arrays;

/** Encoded key bytes with value equality, usable as a hash-map key. */
public final class ByteKey implements Comparable<ByteKey> {

  private final byte[] bytes;
  private final int hash;

  public ByteKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
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
