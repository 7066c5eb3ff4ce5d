package io.sluice.translation.operators.shared;

import java.io.Serializable;

/**
 * Where a read of an unbounded source stops early: after a number of records shared out over its
 * splits as evenly as possible, or after a time from its start.
 */
public record ReadLimits(long maxRecords, long maxReadTimeMillis) implements Serializable {

  public static final ReadLimits NONE = new ReadLimits(Long.MAX_VALUE, Long.MAX_VALUE);

  /** The records split {@code index} of {@code count} may emit: the first ones take the remainder. */
  long recordsOfSplit(int index, int count) {
    if (maxRecords == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return maxRecords / count + (index < maxRecords % count ? 1 : 0);
  }
}
