package io.sluice.execution.state;

/**
 * Key groups: the unit in which keyed state and timers move between subtasks. Every key belongs to
 * one of a fixed number of groups, and stored keys start with their group, so a store's contents
 * are contiguous runs of whole groups. A checkpoint taken at one parallelism can then be restored
 * at another by handing each new subtask a set of whole groups, without rehashing any key; the
 * number of groups is therefore fixed for the life of a job and bounds its parallelism.
 */
public final class KeyGroups {

  public static final int MAX_KEY_GROUPS = 128;

  private KeyGroups() {}

  /**
   * The key group of a key. Takes bits 16 and up of the hash rather than the lowest bits: a
   * partitioner or hash table that takes the hash modulo a small number uses the low bits, and
   * grouping on the same bits would leave the keys of one group clustered in those structures.
   */
  public static int of(byte[] keyBytes) {
    return Math.floorMod(ByteKey.hashOf(keyBytes) >>> 16, MAX_KEY_GROUPS);
  }

  /**
   * The prefix under which one key's entries are stored: its key group (2 bytes, big-endian), the
   * key's length as an unsigned varint, then the key. The length makes the prefix self-delimiting:
   * no key's prefix is a prefix of another's, so a scan for one key never sees a longer key that
   * happens to start with the same bytes, and whatever follows the prefix can be any bytes.
   */
  public static byte[] prefix(byte[] keyBytes) {
    int group = of(keyBytes);
    int length = keyBytes.length;
    byte[] prefix = new byte[2 + varintSize(length) + length];
    prefix[0] = (byte) (group >>> 8);
    prefix[1] = (byte) group;
    int pos = 2;
    while ((length & ~0x7f) != 0) {
      prefix[pos++] = (byte) ((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    prefix[pos++] = (byte) length;
    System.arraycopy(keyBytes, 0, prefix, pos, keyBytes.length);
    return prefix;
  }

  /** The length of the key prefix that starts at {@code offset} in a stored key. */
  static int prefixLengthAt(byte[] bytes, int offset) {
    int pos = offset + 2;
    int length = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = bytes[pos++];
      length |= (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
    }
    return pos - offset + length;
  }

  /** The key bytes of the key prefix that starts at {@code offset} in a stored key. */
  static byte[] keyAt(byte[] bytes, int offset) {
    int end = offset + prefixLengthAt(bytes, offset);
    int pos = offset + 2;
    while (bytes[pos] < 0) {
      pos++;
    }
    pos++;
    return java.util.Arrays.copyOfRange(bytes, pos, end);
  }

  private static int varintSize(int value) {
    int size = 1;
    while ((value & ~0x7f) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }
}
