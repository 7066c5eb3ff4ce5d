package io.sluice.translation.state;

import org.joda.time.Instant;

/**
 * Told of every change to a watermark hold, so that an operator can keep the minimum hold over all
 * keys and windows up to date without scanning the store for hold cells.
 */
@FunctionalInterface
public interface HoldListener {

  /** For callers that track holds some other way, or have none. */
  HoldListener NONE = (holdStoreKey, hold) -> {};

  /**
   * @param holdStoreKey the store key of the hold's cell: unique per key, namespace and state id,
   *     and the same array on every call for one cell; it must not be modified
   * @param hold the new hold, or null when the hold was cleared
   */
  void holdChanged(byte[] holdStoreKey, Instant hold);
}
