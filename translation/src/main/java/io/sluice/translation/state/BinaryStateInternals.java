package io.sluice.translation.state;

import io.sluice.execution.state.ByteKey;
import io.sluice.execution.state.SortedByteStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;

/**
 * The Beam state of one key, kept in a {@link SortedByteStore} under that key's prefix (see
 * {@link StateKeys} for the layout).
 *
 * <p>State objects hold no data of their own, only their location, so the store is the single
 * truth: an instance can be dropped at any time and a new one for the same key sees everything.
 * Instances remember the state objects they hand out, because runners-core expects asking twice
 * for one tag and namespace to give an equal object; that memory grows with the namespaces
 * touched, so an instance that lives longer than one key's turn is {@link #trim trimmed} between
 * turns.
 */
public final class BinaryStateInternals implements StateInternals {

  private final SortedByteStore store;
  private final byte[] keyPrefix;
  private final Object key;
  private final HoldListener holds;
  private final Function<StateNamespace, String> namespaceKeys;
  private final LongSupplier appendSequence;
  /** What was handed out, by cell: derived, lives until trimmed. */
  private final Map<ByteKey, State> bound = new HashMap<>();
  /** The same by namespace and tag, found without building the cell's bytes: derived, as {@link #bound}. */
  private final Map<Bound, State> byTag = new HashMap<>();
  private static final int MAX_BOUND = 64;

  /**
   * A namespace and a tag object: tags compare by identity here, since {@code StateTag.equals}
   * ignores the kind that {@link #idOf} keeps apart. Runners-core reuses its tag objects, so the
   * same tag is found again; a tag made afresh just misses.
   */
  private static final class Bound {
    private final StateNamespace namespace;
    private final StateTag<?> tag;

    Bound(StateNamespace namespace, StateTag<?> tag) {
      this.namespace = namespace;
      this.tag = tag;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bound && ((Bound) o).tag == tag && ((Bound) o).namespace.equals(namespace);
    }

    @Override
    public int hashCode() {
      return 31 * NamespaceKey.hashOf(namespace) + System.identityHashCode(tag);
    }
  }

  /**
   * @param keyPrefix the encoded key, already made unique and prefix-free by the caller (key
   *     group, length, key bytes); it starts every store key this instance writes
   * @param key the decoded key, for {@link #getKey()}
   * @param holds told of every watermark hold change made through this instance
   */
  public BinaryStateInternals(SortedByteStore store, byte[] keyPrefix, Object key, HoldListener holds) {
    this(store, keyPrefix, key, holds, StateNamespace::stringKey, null);
  }

  /**
   * @param namespaceKeys a namespace's string key: a caller that sees the same windows over and
   *     over may cache them (a window namespace encodes and base64s its window on every call)
   * @param appendSequence if not null, increasing numbers unique in the whole store, from which
   *     bags take their entries' positions instead of keeping a counter each
   */
  public BinaryStateInternals(SortedByteStore store, byte[] keyPrefix, Object key, HoldListener holds,
      Function<StateNamespace, String> namespaceKeys, LongSupplier appendSequence) {
    this.store = store;
    this.keyPrefix = keyPrefix.clone();
    this.key = key;
    this.holds = holds;
    this.namespaceKeys = namespaceKeys;
    this.appendSequence = appendSequence;
  }

  @Override
  public Object getKey() {
    return key;
  }

  @Override
  public <T extends State> T state(StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
    Bound found = new Bound(namespace, address);
    State known = byTag.get(found);
    if (known != null) {
      @SuppressWarnings("unchecked")
      T typed = (T) known;
      return typed;
    }
    byte[] cellBase = StateKeys.cellBase(StateKeys.namespacePrefix(keyPrefix, namespaceKeys.apply(namespace)), idOf(address));
    ByteKey cacheKey = new ByteKey(cellBase);
    State state = bound.get(cacheKey);
    if (state == null) {
      state = address.getSpec().bind(address.getId(), new CellBinder(store, cellBase, c, holds, appendSequence));
      bound.put(cacheKey, state);
    }
    byTag.put(found, state);
    @SuppressWarnings("unchecked")
    T typed = (T) state;
    return typed;
  }

  /**
   * Forgets what was handed out if it grew large, between two turns of the key (never while
   * one is under way, where runners-core relies on getting the same object twice).
   */
  public void trim() {
    if (bound.size() > MAX_BOUND) {
      bound.clear();
      byTag.clear();
    }
  }

  /**
   * The tag's full identity, kind included: {@link StateTag#getId()} alone would let a system tag
   * (written by runners-core) and a user tag with the same name share a cell.
   */
  private static String idOf(StateTag<?> tag) {
    StringBuilder sb = new StringBuilder();
    try {
      tag.appendTo(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }
}
