package io.sluice.execution.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The timers of one operator in one subtask, kept in a {@link SortedByteStore} so that the heap and
 * the RocksDB backend share one implementation. A timer is identified by its key and name; it fires
 * in a domain (event time, processing time, ...) at a timestamp, may hold back the output watermark
 * until it fires, and carries an opaque payload.
 *
 * <p>Three spaces in the store, each entry of a timer written and removed together:
 *
 * <ul>
 *   <li>index {@code [1][key prefix][name] -> domain, timestamp, hold}: finds a timer by identity,
 *       to replace or delete it;
 *   <li>queue {@code [2][domain][timestamp][key prefix][name] -> hold, payload}: timers of a domain
 *       in firing order;
 *   <li>holds {@code [3][hold][key prefix][name]}: the smallest hold first; timers without a hold
 *       have no entry here.
 * </ul>
 *
 * The key prefix ({@link KeyGroups#prefix}) carries the key's length, so the name is simply the
 * rest, and any (key, name) pair is encoded unambiguously. Longs are big-endian with the sign bit
 * flipped, so that unsigned byte order is signed numeric order.
 */
public final class TimerQueue {

  /** The hold of a timer that does not hold back the watermark. */
  public static final long NO_HOLD = Long.MAX_VALUE;

  private static final byte INDEX = 1;
  private static final byte QUEUE = 2;
  private static final byte HOLDS = 3;
  private static final int HOLD_SPACE = 256;
  private static final int RECENT_TIMERS = 10_000;
  private static final int INDEX_VALUE_LENGTH = 1 + 8 + 8;
  /** Entries of a space read ahead at once; at most twice as many are kept. */
  private static final int READ_AHEAD = 256;

  private final SortedByteStore store;
  private final KeyGroups keyGroups;
  /**
   * What was last stored for recently set timers (index value, then queue value): setting one again
   * as it is, which a window's end timer is on every element, then costs no store read at all.
   */
  private final Map<ByteKey, byte[][]> recent = new RecentlyUsed<>(RECENT_TIMERS);

  /**
   * Per space (index 0..255 a domain's queue, {@link #HOLD_SPACE} the holds), the front of the
   * space read ahead: every entry of the space up to and including {@link #readUpTo}, in key order;
   * null until the space is first read. Derived, lives as long as this queue: every write to a space
   * goes through here and updates it. Why: the next timer due is asked for after every timer that
   * fires and after every watermark; opening a cursor of the store each time (a RocksDB iterator)
   * cost more than firing the timer.
   */
  @SuppressWarnings("unchecked")
  private final TreeMap<byte[], byte[]>[] ahead = new TreeMap[257];
  /**
   * Per space: the last key read ahead, or null once {@link #ahead} holds the whole space. Derived.
   * A refill reads from just after it: entries are removed from the front, and a disk store keeps a
   * deletion marker for each until it compacts, which a read from the space's start would step over.
   */
  private final byte[][] readUpTo = new byte[257][];

  /** {@code store} should be created with {@link StoreLayout#TIMERS}. */
  public TimerQueue(SortedByteStore store, KeyGroups keyGroups) {
    this.store = store;
    this.keyGroups = keyGroups;
  }

  /** A timer as set, or as removed by {@link #pollDue}. */
  public record Timer(
      byte[] key, byte[] name, int domain, long timestamp, long hold, byte[] payload) {

    @Override
    public String toString() {
      return "Timer[key=" + Arrays.toString(key) + ", name=" + Arrays.toString(name)
          + ", domain=" + domain + ", timestamp=" + timestamp + ", hold=" + hold
          + ", payload=" + payload.length + " bytes]";
    }
  }

  /**
   * Whether the timer {@code (key, name)} was set lately with this domain, timestamp and hold, and
   * still stands. Answered from memory only, so false says nothing. A caller whose payloads follow
   * from the rest learns that setting the timer again would write nothing, without building the
   * payload.
   */
  public boolean isSetAs(byte[] key, byte[] name, int domain, long timestamp, long hold) {
    byte[][] last = recent.get(new ByteKey(identity(key, name)));
    if (last == null) {
      return false;
    }
    ByteBuffer index = ByteBuffer.wrap(last[0]);
    return (index.get() & 0xff) == domain && index.getLong() == timestamp && index.getLong() == hold;
  }

  /**
   * Sets the timer {@code (key, name)}, replacing the one set before under that identity, whatever
   * its domain. {@code hold} is {@link #NO_HOLD} for a timer that holds nothing back.
   */
  public void set(byte[] key, byte[] name, int domain, long timestamp, long hold, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    checkDomain(domain);
    byte[] identity = identity(key, name);
    byte[] index = ByteBuffer.allocate(INDEX_VALUE_LENGTH)
        .put((byte) domain)
        .putLong(timestamp)
        .putLong(hold)
        .array();
    byte[] queued = ByteBuffer.allocate(8 + payload.length).putLong(hold).put(payload).array();
    ByteKey id = new ByteKey(identity);
    byte[][] last = recent.get(id);
    if (last != null && Arrays.equals(last[0], index) && Arrays.equals(last[1], queued)) {
      return;
    }
    byte[] indexKey = withTag(INDEX, identity);
    byte[] queueKey = queueKey(domain, timestamp, identity);
    byte[] previous = store.get(indexKey);
    recent.put(id, new byte[][] {index, queued});
    if (previous != null) {
      // Setting a timer again as it is writes nothing.
      if (Arrays.equals(previous, index) && Arrays.equals(store.get(queueKey), queued)) {
        return;
      }
      removeQueued(identity, previous);
    }
    store.put(indexKey, index);
    put(domain, queueKey, queued);
    if (hold != NO_HOLD) {
      put(HOLD_SPACE, holdKey(hold, identity), new byte[0]);
    }
  }

  /** Deletes the timer {@code (key, name)}; false if there was none. */
  public boolean delete(byte[] key, byte[] name) {
    byte[] identity = identity(key, name);
    recent.remove(new ByteKey(identity));
    byte[] indexKey = withTag(INDEX, identity);
    byte[] previous = store.get(indexKey);
    if (previous == null) {
      return false;
    }
    removeQueued(identity, previous);
    store.deleteSeen(indexKey);
    return true;
  }

  /**
   * Removes and returns the timer of {@code domain} with the smallest timestamp at or before {@code
   * upTo}, or null if none is due. Timers with equal timestamps come in order of key group, key and
   * name.
   */
  public Timer pollDue(int domain, long upTo) {
    checkDomain(domain);
    byte[] queueKey;
    byte[] value;
    Map.Entry<byte[], byte[]> first = first(domain, new byte[] {QUEUE, (byte) domain});
    if (first == null) {
      return null;
    }
    queueKey = first.getKey();
    value = first.getValue();
    long timestamp = decodeLong(queueKey, 2);
    if (timestamp > upTo) {
      return null;
    }
    int identityStart = 2 + 8;
    byte[] identity = Arrays.copyOfRange(queueKey, identityStart, queueKey.length);
    long hold = ByteBuffer.wrap(value).getLong();
    // The three entries exist (the queue's says so), so their deletes need not read the store.
    remove(domain, queueKey);
    if (hold != NO_HOLD) {
      remove(HOLD_SPACE, holdKey(hold, identity));
    }
    store.deleteSeen(withTag(INDEX, identity));
    recent.remove(new ByteKey(identity));
    int nameStart = KeyGroups.prefixLengthAt(identity, 0);
    return new Timer(
        KeyGroups.keyAt(identity, 0),
        Arrays.copyOfRange(identity, nameStart, identity.length),
        domain,
        timestamp,
        hold,
        Arrays.copyOfRange(value, 8, value.length));
  }

  /** The smallest timestamp of a timer in {@code domain}; Long.MAX_VALUE if there is none. */
  public long earliest(int domain) {
    checkDomain(domain);
    Map.Entry<byte[], byte[]> first = first(domain, new byte[] {QUEUE, (byte) domain});
    return first == null ? Long.MAX_VALUE : decodeLong(first.getKey(), 2);
  }

  /** The smallest hold of any timer; Long.MAX_VALUE ({@link #NO_HOLD}) if none holds anything. */
  public long minHold() {
    Map.Entry<byte[], byte[]> first = first(HOLD_SPACE, new byte[] {HOLDS});
    return first == null ? NO_HOLD : decodeLong(first.getKey(), 1);
  }

  public boolean isEmpty() {
    try (SortedByteStore.Cursor cursor = store.scan(new byte[] {INDEX})) {
      return !cursor.hasNext();
    }
  }

  /** The first entry of a space (a domain's queue, or the holds), from what is read ahead. */
  private Map.Entry<byte[], byte[]> first(int space, byte[] prefix) {
    TreeMap<byte[], byte[]> entries = ahead[space];
    if (entries == null) {
      entries = new TreeMap<>(Arrays::compareUnsigned);
      ahead[space] = entries;
      readAhead(space, prefix, prefix);
    } else if (entries.isEmpty() && readUpTo[space] != null) {
      byte[] last = readUpTo[space];
      readAhead(space, prefix, Arrays.copyOf(last, last.length + 1));
    }
    return entries.isEmpty() ? null : entries.firstEntry();
  }

  private void readAhead(int space, byte[] prefix, byte[] from) {
    TreeMap<byte[], byte[]> entries = ahead[space];
    byte[] last = null;
    try (SortedByteStore.Cursor cursor = store.range(from, Prefixes.successor(prefix))) {
      while (entries.size() < READ_AHEAD && cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        entries.put(entry.getKey(), entry.getValue());
        last = entry.getKey();
      }
      readUpTo[space] = cursor.hasNext() ? last : null;
    }
  }

  /** Writes an entry of a queue or the holds, and keeps what is read ahead of its space whole. */
  private void put(int space, byte[] key, byte[] value) {
    store.put(key, value);
    TreeMap<byte[], byte[]> entries = ahead[space];
    if (entries == null || (readUpTo[space] != null && Arrays.compareUnsigned(key, readUpTo[space]) > 0)) {
      return;
    }
    entries.put(key, value);
    if (entries.size() > 2 * READ_AHEAD) {
      while (entries.size() > READ_AHEAD) {
        entries.pollLastEntry();
      }
      readUpTo[space] = entries.lastKey();
    }
  }

  /** Deletes an entry of a queue or the holds that exists. */
  private void remove(int space, byte[] key) {
    store.deleteSeen(key);
    if (ahead[space] != null) {
      ahead[space].remove(key);
    }
  }

  /** Removes the queue and hold entries of a timer, given its index entry. */
  private void removeQueued(byte[] identity, byte[] indexValue) {
    ByteBuffer previous = ByteBuffer.wrap(indexValue);
    int domain = previous.get() & 0xff;
    long timestamp = previous.getLong();
    long hold = previous.getLong();
    remove(domain, queueKey(domain, timestamp, identity));
    if (hold != NO_HOLD) {
      remove(HOLD_SPACE, holdKey(hold, identity));
    }
  }

  private byte[] identity(byte[] key, byte[] name) {
    byte[] prefix = keyGroups.prefix(key);
    byte[] identity = Arrays.copyOf(prefix, prefix.length + name.length);
    System.arraycopy(name, 0, identity, prefix.length, name.length);
    return identity;
  }

  /** The key group of the timer a store entry belongs to: for a restore at another parallelism. */
  static int keyGroupOf(byte[] storeKey) {
    int offset = switch (storeKey[0]) {
      case INDEX -> 1;
      case QUEUE -> 2 + 8;
      case HOLDS -> 1 + 8;
      default -> throw new IllegalArgumentException("not a timer queue entry: tag " + storeKey[0]);
    };
    return StoreLayout.groupAt(storeKey, offset);
  }

  private static byte[] withTag(byte tag, byte[] identity) {
    return ByteBuffer.allocate(1 + identity.length).put(tag).put(identity).array();
  }

  private static byte[] queueKey(int domain, long timestamp, byte[] identity) {
    return ByteBuffer.allocate(2 + 8 + identity.length)
        .put(QUEUE)
        .put((byte) domain)
        .putLong(timestamp ^ Long.MIN_VALUE)
        .put(identity)
        .array();
  }

  private static byte[] holdKey(long hold, byte[] identity) {
    return ByteBuffer.allocate(1 + 8 + identity.length)
        .put(HOLDS)
        .putLong(hold ^ Long.MIN_VALUE)
        .put(identity)
        .array();
  }

  private static long decodeLong(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 8).getLong() ^ Long.MIN_VALUE;
  }

  private static void checkDomain(int domain) {
    if (domain < 0 || domain > 255) {
      throw new IllegalArgumentException("Timer domain must be in 0..255, was " + domain);
    }
  }
}
