package io.sluice.execution.state;

/**
 * Unsigned var-ints in byte arrays, seven bits a byte, low bits first (the format of Beam's {@code
 * VarInt}): the length prefixes of Sluice's own record and key layouts.
 */
public final class VarInts {

  private VarInts() {}

  /** Bytes that {@code value} takes. */
  public static int size(int value) {
    int size = 1;
    while ((value & ~0x7f) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  /** Writes {@code value} at {@code at}; returns where the next byte goes. */
  public static int write(byte[] to, int at, int value) {
    while ((value & ~0x7f) != 0) {
      to[at++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    to[at++] = (byte) value;
    return at;
  }

  /** Reads the var-int at {@code at}: {@code value << 32 | bytes read}, so one call gives both. */
  public static long read(byte[] from, int at) {
    int value = 0;
    int shift = 0;
    int i = at;
    byte b;
    do {
      b = from[i++];
      value |= (b & 0x7f) << shift;
      shift += 7;
    } while (b < 0);
    return ((long) value << 32) | (i - at);
  }

  /** The value of a {@link #read} result. */
  public static int value(long read) {
    return (int) (read >>> 32);
  }

  /** The bytes consumed of a {@link #read} result. */
  public static int length(long read) {
    return (int) read;
  }
}
