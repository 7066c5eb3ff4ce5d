package io.sluice.execution.state;

/**
 * Key groups: the unit in which keyed state and timers move between subtasks. Every key belongs to
 * one of a fixed number of groups (a job's maximum parallelism), each subtask owns a contiguous
 * range of groups, and stored keys start with their group, so a store's contents are contiguous
 * runs of whole groups. Hash edges route a key to the subtask that owns its group, so a checkpoint
 * taken at one parallelism can be restored at another by handing each new subtask a range of whole
 * groups, without rehashing any key; the number of groups is fixed for the life of a job.
 */
public final class KeyGroups {

  /** The default number of key groups, and so the default bound on parallelism (Flink's least). */
  public static final int DEFAULT_MAX_PARALLELISM = 128;
  /** At most this many groups: a group is stored in two bytes. */
  public static final int UPPER_BOUND = 1 << 15;

  private final int count;

  public KeyGroups(int count) {
    if (count < 1 || count > UPPER_BOUND) {
      throw new IllegalArgumentException(
          "the maximum parallelism (number of key groups) must be between 1 and " + UPPER_BOUND + ", not " + count);
    }
    this.count = count;
  }

  /** How many key groups there are: the highest parallelism a keyed step may have. */
  public int count() {
    return count;
  }

  /** The key group of a key, by the hash of its bytes ({@link ByteKey#hashOf}). */
  public int of(byte[] keyBytes) {
    return ofHash(ByteKey.hashOf(keyBytes));
  }

  /**
   * The key group of a key hash. The hash is mixed first: hash tables that index by the low bits
   * of the same hash must not see the keys of one group (or one subtask) clustered in few buckets.
   */
  public int ofHash(int keyHash) {
    int h = keyHash;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, count);
  }

  /** The subtask, of {@code parallelism}, that owns key group {@code group}. */
  public int subtaskOf(int group, int parallelism) {
    return (int) ((long) group * parallelism / count);
  }

  /** The first key group subtask {@code subtask} of {@code parallelism} owns. */
  public int firstGroupOf(int subtask, int parallelism) {
    return (int) (((long) subtask * count + parallelism - 1) / parallelism);
  }

  /** One past the last key group subtask {@code subtask} of {@code parallelism} owns. */
  public int endGroupOf(int subtask, int parallelism) {
    return firstGroupOf(subtask + 1, parallelism);
  }

  /** Refuses a parallelism with subtasks that would own no key group. */
  public void checkParallelism(String what, int parallelism) {
    if (parallelism > count) {
      throw new IllegalArgumentException(what + " has parallelism " + parallelism + ", above the maximum parallelism "
          + count + " (the number of key groups, fixed for the life of a job): lower the parallelism or raise "
          + "--maxParallelism (at most " + UPPER_BOUND + ")");
    }
  }

  /**
   * The prefix under which one key's entries are stored: its key group (2 bytes, big-endian), the
   * key's length as an unsigned varint, then the key. The length makes the prefix self-delimiting:
   * no key's prefix is a prefix of another's, so a scan for one key never sees a longer key that
   * happens to start with the same bytes, and whatever follows the prefix can be any bytes.
   */
  public byte[] prefix(byte[] keyBytes) {
    int group = of(keyBytes);
    int length = keyBytes.length;
    byte[] prefix = new byte[2 + VarInts.size(length) + length];
    prefix[0] = (byte) (group >>> 8);
    prefix[1] = (byte) group;
    int pos = VarInts.write(prefix, 2, length);
    System.arraycopy(keyBytes, 0, prefix, pos, keyBytes.length);
    return prefix;
  }

  /** The length of the key prefix that starts at {@code offset} in a stored key. */
  static int prefixLengthAt(byte[] bytes, int offset) {
    long length = VarInts.read(bytes, offset + 2);
    return 2 + VarInts.length(length) + VarInts.value(length);
  }

  /** The key bytes of the key prefix that starts at {@code offset} in a stored key. */
  static byte[] keyAt(byte[] bytes, int offset) {
    long length = VarInts.read(bytes, offset + 2);
    int from = offset + 2 + VarInts.length(length);
    return java.util.Arrays.copyOfRange(bytes, from, from + VarInts.value(length));
  }
}
