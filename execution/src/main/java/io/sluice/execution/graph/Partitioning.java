package io.sluice.execution.graph;

import java.io.Serializable;
import java.util.Objects;

/** How an edge spreads the records of one producing subtask over the consuming subtasks. */
public final class Partitioning implements Serializable {

  /** The hash of a record's key: serializable, as it travels with the job graph. */
  @FunctionalInterface
  public interface KeyHash extends Serializable {
    int of(Object record);
  }

  /** The kinds of distribution an edge can have. */
  public enum Kind {
    /** Producer subtask i feeds consumer subtask i (modulo the consumer's parallelism). */
    FORWARD,
    /** A record goes to the subtask chosen by a hash of its key's encoded bytes. */
    HASH,
    /** Every record goes to every consumer subtask. */
    BROADCAST,
    /** Records are dealt out to the consumer subtasks in turn. */
    ROUND_ROBIN,
    /** Every record goes to consumer subtask 0. */
    ALL_TO_ONE
  }

  private static final Partitioning FORWARD = new Partitioning(Kind.FORWARD, null);
  private static final Partitioning BROADCAST = new Partitioning(Kind.BROADCAST, null);
  private static final Partitioning ROUND_ROBIN = new Partitioning(Kind.ROUND_ROBIN, null);
  private static final Partitioning ALL_TO_ONE = new Partitioning(Kind.ALL_TO_ONE, null);

  private final Kind kind;
  private final KeyHash keyHash;

  private Partitioning(Kind kind, KeyHash keyHash) {
    this.kind = kind;
    this.keyHash = keyHash;
  }

  public static Partitioning forward() {
    return FORWARD;
  }

  /**
   * Partitions by {@code keyHash}, which must depend only on the record's key (for Beam: a hash of
   * the key's encoded bytes, so that equal keys meet in one subtask whatever their object identity).
   */
  public static Partitioning hash(KeyHash keyHash) {
    return new Partitioning(Kind.HASH, Objects.requireNonNull(keyHash, "keyHash"));
  }

  public static Partitioning broadcast() {
    return BROADCAST;
  }

  public static Partitioning roundRobin() {
    return ROUND_ROBIN;
  }

  public static Partitioning allToOne() {
    return ALL_TO_ONE;
  }

  public Kind kind() {
    return kind;
  }

  /** The key hash of a HASH partitioning. */
  public KeyHash keyHash() {
    if (keyHash == null) {
      throw new IllegalStateException(kind + " partitioning has no key hash");
    }
    return keyHash;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
