package io.sluice.translation.operators.timely;

import io.sluice.execution.state.StoreLayout;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.ByteKey;
import io.sluice.execution.state.RecentlyUsed;
import io.sluice.execution.state.KeyedStores;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoredKeys;
import io.sluice.execution.state.TimerQueue;
import io.sluice.translation.operators.EngineTime;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.state.BinaryStateInternals;
import io.sluice.translation.state.NamespaceKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * Keyed state and timers of one timely operator instance (a streaming GroupByKey, or a {@link
 * TimelyParDoOperator} in either mode), for whichever key is current, as runners-core's helpers
 * expect: they hold one StateInternals and one TimerInternals. State lives in the job's state backend (heap or RocksDB); timers in a {@link TimerQueue} beside it, so both
 * backends order and hold timers the same way. Watermark holds of all keys are mirrored in memory,
 * because the output watermark needs their minimum after every change; the mirror and the bag
 * append sequence are written to operator stores at a snapshot and read back on restore.
 */
public final class TimelyKeyState implements StepContext {

  public static final int EVENT_TIME = 0;
  public static final int PROCESSING_TIME = 1;
  /**
   * Timers of synchronized processing time (continuation triggers downstream of a processing-time
   * trigger): due by synchronized processing time, which lags the clock while something upstream is
   * on its way (see {@link #fireProcessingTimers}).
   */
  public static final int SYNCHRONIZED_PROCESSING_TIME = 2;

  private static final byte[] APPEND_SEQUENCE = {'b'};
  private static final int RECENT_KEYS = 4096;
  private static final int MAX_TRACKED_HOLDS = 1 << 16;

  private final OperatorContext context;
  private final Coder<Object> keyCoder;
  /** Keyed state, timers and long keys' bytes: durable, live as long as the job. */
  private final KeyedStores stores;
  private final TimerQueue timers;
  private final TimerInternals.TimerDataCoderV2 timerCoder;
  /** Derived: the timer encoding buffer, reused, for the operator's life. */
  private final CoderBytes timerEncoder = new CoderBytes();
  /** Every hold cell's hold: derived (the cells are in the state store); durable from a snapshot on. */
  private final Map<ByteKey, Long> holds = new HashMap<>();
  /**
   * Hold cells changed since the last snapshot or restore, each with whether the holds store had
   * it then: derived, emptied by each snapshot, so a snapshot costs what changed, not every hold.
   */
  private final Map<ByteKey, Boolean> changedHolds = new HashMap<>();
  /**
   * Derived: true once more holds changed than are worth tracking (a job without checkpoints never
   * empties {@link #changedHolds}); the next snapshot then rewrites the holds store whole.
   */
  private boolean holdsUntracked;
  /** What the sequences store holds: derived, as of the last snapshot or restore. */
  private long mirroredSequence;
  /** How many holds there are at each time: derived from {@link #holds}. */
  private final TreeMap<Long, Integer> holdCounts = new TreeMap<>();
  private final InMemoryBundleFinalizer bundleFinalizer = new InMemoryBundleFinalizer();
  /** Namespaces' string keys: every element of a window asks for its window's, several times. */
  private final Map<NamespaceKey, String> namespaceKeys = new RecentlyUsed<>(10_000);
  private final TimerView timerView = new TimerView();
  /** Derived from the operator's input since the subtask started. */
  private long inputWatermark = Long.MIN_VALUE;
  /**
   * Positions of bag entries, increasing over the whole store: appending then reads nothing.
   * Durable from a snapshot on: after a restore it goes on from there, never back to 0.
   */
  private long appendSequence;
  /** Derived: what was last forwarded; never goes back. */
  private long outputWatermark = Long.MIN_VALUE;
  /** The current key: derived, per element or timer. */
  private byte[] keyBytes;
  private byte[] storedKey;
  private byte[] keyPrefix;
  /** Long keys whose bytes were kept lately: each is written once, not once per element. */
  private final Map<ByteKey, Boolean> keptLongKeys = new RecentlyUsed<>(1024);
  private Object key;
  private BinaryStateInternals state;
  /**
   * The state views of recent keys: derived (they hold locations, not data), so a key's next
   * element finds its cells' store keys built and its key decoded.
   */
  private final Map<ByteKey, BinaryStateInternals> recentStates = new RecentlyUsed<>(RECENT_KEYS);

  @SuppressWarnings("unchecked")
  public TimelyKeyState(OperatorContext context, Coder<?> keyCoder, Coder<? extends BoundedWindow> windowCoder) {
    this.context = context;
    this.keyCoder = (Coder<Object>) keyCoder;
    this.stores = context.keyedStores();
    this.timers = new TimerQueue(stores.store("timers", StoreLayout.TIMERS), context.keyGroups());
    this.timerCoder = TimerInternals.TimerDataCoderV2.of(windowCoder);
  }

  /**
   * Writes what the stores do not hold yet: the holds mirror and the append sequence, only what
   * changed since the last snapshot (an unchanged store then writes nothing, and a RocksDB column
   * family without writes costs a checkpoint no new file).
   */
  public void snapshot() {
    SortedByteStore mirror = context.operatorStore("holds", StoreLayout.KEYED);
    if (holdsUntracked) {
      mirror.deletePrefix(new byte[0]);
      holds.forEach((cell, hold) -> mirror.put(cell.bytes(), ByteBuffer.allocate(8).putLong(hold).array()));
      holdsUntracked = false;
    }
    changedHolds.forEach((cell, stored) -> {
      Long hold = holds.get(cell);
      if (hold != null) {
        mirror.put(cell.bytes(), ByteBuffer.allocate(8).putLong(hold).array());
      } else if (stored) {
        mirror.delete(cell.bytes());
      }
    });
    changedHolds.clear();
    if (appendSequence != mirroredSequence) {
      context.operatorStore("sequences", StoreLayout.UNION)
          .put(APPEND_SEQUENCE, ByteBuffer.allocate(8).putLong(appendSequence).array());
      mirroredSequence = appendSequence;
    }
  }

  /** Rebuilds what is derived from the stores (after a restore). */
  public void restore() {
    holds.clear();
    holdCounts.clear();
    try (SortedByteStore.Cursor cursor = context.operatorStore("holds", StoreLayout.KEYED).scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        holdChanged(entry.getKey(), new Instant(ByteBuffer.wrap(entry.getValue()).getLong()));
      }
    }
    byte[] sequence = context.operatorStore("sequences", StoreLayout.UNION).get(APPEND_SEQUENCE);
    appendSequence = sequence == null ? 0 : ByteBuffer.wrap(sequence).getLong();
    changedHolds.clear();
    holdsUntracked = false;
    mirroredSequence = appendSequence;
  }

  /** Makes the key with these encoded bytes current; {@code key} may be null to decode it lazily. */
  public void setKey(byte[] keyBytes, Object key) {
    byte[] stored = StoredKeys.of(keyBytes);
    if (stored != keyBytes && keptLongKeys.put(new ByteKey(stored), Boolean.TRUE) == null) {
      stores.store("keys", StoreLayout.STORED_KEYS).put(stored, keyBytes);
    }
    setStoredKey(stored, keyBytes, key);
  }

  private void setStoredKey(byte[] stored, byte[] keyBytes, Object key) {
    this.storedKey = stored;
    this.keyBytes = keyBytes;
    this.keyPrefix = context.keyGroups().prefix(stored);
    this.key = key;
    this.state = null;
  }

  public Object key() {
    if (key == null && storedKey != null) {
      if (keyBytes == null) {
        byte[] kept = StoredKeys.mayBeDigest(storedKey) ? stores.store("keys", StoreLayout.STORED_KEYS).get(storedKey) : null;
        keyBytes = kept == null ? storedKey : kept;
      }
      try {
        key = CoderBytes.decode(keyCoder, keyBytes);
      } catch (CoderException e) {
        throw new IllegalStateException("cannot decode a key of the state store", e);
      }
    }
    return key;
  }

  /** A stable view: runners-core helpers keep the StateInternals they were given. */
  private final StateInternals stateView = new StateInternals() {
    @Override
    public Object getKey() {
      return current().getKey();
    }

    @Override
    public <T extends State> T state(StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
      return current().state(namespace, address, c);
    }
  };

  @Override
  public StateInternals stateInternals() {
    return stateView;
  }

  private BinaryStateInternals current() {
    if (state == null) {
      if (storedKey == null) {
        throw new IllegalStateException("keyed state used outside of a key");
      }
      ByteKey id = new ByteKey(storedKey);
      state = recentStates.get(id);
      if (state == null) {
        state = new BinaryStateInternals(stores.store("state"), keyPrefix, key(), this::holdChanged,
            this::namespaceKey, () -> appendSequence++);
        recentStates.put(id, state);
      } else {
        // Between two turns of the key: what it bound for windows long gone may go.
        state.trim();
      }
    }
    return state;
  }

  @Override
  public TimerInternals timerInternals() {
    return timerView;
  }

  @Override
  public InMemoryBundleFinalizer bundleFinalizer() {
    return bundleFinalizer;
  }

  public void setInputWatermark(long watermark) {
    inputWatermark = watermark;
  }

  public long inputWatermark() {
    return inputWatermark;
  }

  /**
   * Emits the output watermark if it advanced: the input watermark held back by every hold and by
   * {@code otherHold} (elements the operator keeps elsewhere). Beam's helpers judge panes late by the
   * watermark emitted, not by what holds would allow right now.
   */
  public void emitWatermark(long otherHold) throws InterruptedException {
    long watermark = Math.min(Math.min(inputWatermark, minHold()), otherHold);
    if (watermark > outputWatermark) {
      outputWatermark = watermark;
      context.output().emitWatermark(watermark);
    }
  }

  /**
   * Removes the earliest timer of {@code domain} that {@code upTo} has passed, makes its key current and
   * returns it; null if none is due. Called in a loop, so a timer set while another fires, even an
   * earlier one, fires in order.
   */
  public TimerData pollDue(int domain, long upTo) {
    // As in Beam's reference timers: a timer fires once time has passed it, not when time reaches
    // it; an element at the watermark may still arrive for a window that ends there.
    TimerQueue.Timer timer = timers.pollDue(domain, upTo == Long.MAX_VALUE ? Long.MAX_VALUE : upTo - 1);
    if (timer == null) {
      return null;
    }
    setStoredKey(timer.key(), null, null);
    try {
      return CoderBytes.decode(timerCoder, timer.payload());
    } catch (CoderException e) {
      throw new IllegalStateException("cannot decode a timer of the state store", e);
    }
  }

  /** Whether a timer of {@code domain} is due at {@code now} (time has passed it). */
  public boolean hasDue(int domain, long now) {
    long earliest = timers.earliest(domain);
    return earliest != Long.MAX_VALUE && (earliest < now || now == Long.MAX_VALUE);
  }

  /** Whether any timer of {@code domain} is set. */
  public boolean hasTimers(int domain) {
    return timers.earliest(domain) != Long.MAX_VALUE;
  }

  /** The smallest watermark hold of all keys: state holds and timers' output timestamps. */
  public long minHold() {
    long min = holdCounts.isEmpty() ? Long.MAX_VALUE : holdCounts.firstKey();
    return Math.min(min, timers.minHold());
  }

  private void holdChanged(byte[] cell, Instant hold) {
    ByteKey id = new ByteKey(cell);
    Long old = hold == null ? holds.remove(id) : holds.put(id, hold.getMillis());
    if ((old != null || hold != null) && !holdsUntracked) {
      if (changedHolds.size() >= MAX_TRACKED_HOLDS && !changedHolds.containsKey(id)) {
        changedHolds.clear();
        holdsUntracked = true;
      } else {
        changedHolds.putIfAbsent(id, old != null);
      }
    }
    if (old != null) {
      holdCounts.computeIfPresent(old, (t, n) -> n == 1 ? null : n - 1);
    }
    if (hold != null) {
      holdCounts.merge(hold.getMillis(), 1, Integer::sum);
    }
  }

  /** Fires the due timers of one domain, up to a time, as the operator fires its timers. */
  public interface TimerFiring {
    void fire(int domain, long upTo) throws Exception;
  }

  /** Fires one timer (its key is current), as the operator fires its timers. */
  public interface TimerAction {
    void fire(TimerData timer) throws Exception;
  }

  /**
   * Fires, in order, the event-time timers {@code upTo} has passed; stops between two, returning
   * false, when the subtask asks the operator to yield (see {@link OperatorContext#shouldYield}).
   */
  public boolean fireEventTimers(long upTo, TimerAction fire) throws Exception {
    TimerData timer;
    while ((timer = pollDue(EVENT_TIME, upTo)) != null) {
      fire.fire(timer);
      if (context.shouldYield()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Fires the processing-time timers due at clock reading {@code now}, then the synchronized
   * processing-time timers due at synchronized processing time. That lags the clock while something
   * upstream is on its way here (see {@link OperatorContext#synchronizedProcessingTime}); timers the
   * clock has reached but it has not are looked at again a millisecond later. Returns whether any
   * timer fired.
   */
  public boolean fireProcessingTimers(long now, TimerFiring firing) throws Exception {
    boolean fired = false;
    if (hasDue(PROCESSING_TIME, now)) {
      firing.fire(PROCESSING_TIME, now);
      fired = true;
    }
    long synchronizedTime = context.synchronizedProcessingTime();
    if (hasDue(SYNCHRONIZED_PROCESSING_TIME, synchronizedTime)) {
      firing.fire(SYNCHRONIZED_PROCESSING_TIME, synchronizedTime);
      fired = true;
    } else if (synchronizedTime < now && hasDue(SYNCHRONIZED_PROCESSING_TIME, now)) {
      context.scheduleProcessingTime(now + 1);
    }
    return fired;
  }

  private static int domainOf(TimeDomain domain) {
    if (domain == TimeDomain.EVENT_TIME) {
      return EVENT_TIME;
    }
    return domain == TimeDomain.SYNCHRONIZED_PROCESSING_TIME ? SYNCHRONIZED_PROCESSING_TIME : PROCESSING_TIME;
  }

  private String namespaceKey(StateNamespace namespace) {
    return namespaceKeys.computeIfAbsent(new NamespaceKey(namespace), key -> key.namespace().stringKey());
  }

  private record TimerId(NamespaceKey namespace, String timerId, String timerFamilyId) {}

  /** Timer names built lately: each window's end timer is set again for every element. Derived. */
  private final Map<TimerId, byte[]> timerNames = new RecentlyUsed<>(10_000);

  /** A timer's identity within its key: Beam replaces a timer of the same namespace, id and family. */
  private byte[] timerName(StateNamespace namespace, String timerId, String timerFamilyId) {
    return timerNames.computeIfAbsent(new TimerId(new NamespaceKey(namespace), timerId, timerFamilyId),
        id -> buildTimerName(namespace, timerId, timerFamilyId));
  }

  private byte[] buildTimerName(StateNamespace namespace, String timerId, String timerFamilyId) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (String part : new String[] {namespaceKey(namespace), timerId, timerFamilyId}) {
        byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The current key's timers. */
  private final class TimerView implements TimerInternals {

    @Override
    public void setTimer(StateNamespace namespace, String timerId, String timerFamilyId, Instant target,
        Instant outputTimestamp, TimeDomain timeDomain) {
      setTimer(TimerData.of(timerId, timerFamilyId, namespace, target, outputTimestamp, timeDomain));
    }

    @Override
    @SuppressWarnings("deprecation")
    public void setTimer(TimerData timer) {
      if (storedKey == null) {
        throw new IllegalStateException("a timer set outside of a key");
      }
      long when = EngineTime.toMillis(timer.getTimestamp());
      // An output timestamp holds the output watermark until the timer has fired.
      long hold = timer.getOutputTimestamp() == null ? TimerQueue.NO_HOLD : timer.getOutputTimestamp().getMillis();
      int domain = domainOf(timer.getDomain());
      byte[] name = timerName(timer.getNamespace(), timer.getTimerId(), timer.getTimerFamilyId());
      // Runners-core sets a window's cleanup timer again for every element; encoding it each time
      // cost more than the rest of the set. The encoding follows from the name, domain, time and
      // hold, as long as the time is exact: below Beam's maximum, where engine time clamps.
      if (domain == EVENT_TIME && when != Long.MAX_VALUE && timers.isSetAs(storedKey, name, domain, when, hold)) {
        return;
      }
      byte[] payload;
      try {
        payload = timerEncoder.encode(timerCoder, timer);
      } catch (CoderException e) {
        throw new IllegalStateException("cannot encode timer " + timer, e);
      }
      timers.set(storedKey, name, domain, when, hold, payload);
      if (domain != EVENT_TIME && when != Long.MAX_VALUE) {
        context.scheduleProcessingTime(when + 1);
      }
    }

    @Override
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
      deleteTimer(namespace, timerId, timerFamilyId);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
      timers.delete(storedKey, timerName(namespace, timerId, timerFamilyId));
    }

    @Override
    @SuppressWarnings("deprecation")
    public void deleteTimer(TimerData timer) {
      deleteTimer(timer.getNamespace(), timer.getTimerId(), timer.getTimerFamilyId());
    }

    @Override
    public Instant currentProcessingTime() {
      return EngineTime.toInstant(context.processingTime());
    }

    @Override
    public Instant currentSynchronizedProcessingTime() {
      return EngineTime.toInstant(context.synchronizedProcessingTime());
    }

    @Override
    public Instant currentInputWatermarkTime() {
      return EngineTime.toInstant(inputWatermark);
    }

    @Override
    public Instant currentOutputWatermarkTime() {
      return EngineTime.toInstant(outputWatermark);
    }
  }
}
