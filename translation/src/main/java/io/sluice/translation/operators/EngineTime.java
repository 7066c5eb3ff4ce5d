package io.sluice.translation.operators;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * Time as the engine counts it (milliseconds, with {@code Long.MAX_VALUE} for the end of time) and
 * as Beam does (instants bounded by {@link BoundedWindow}'s minimum and maximum): the two ends must
 * meet, or a source or timer at Beam's end of time would never let the engine finish.
 */
public final class EngineTime {

  private EngineTime() {}

  /** Engine time for a Beam instant: the end of Beam's time is the end of the engine's. */
  public static long toMillis(Instant instant) {
    return instant.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE) ? instant.getMillis() : Long.MAX_VALUE;
  }

  /** A Beam instant for engine time, clamped to the range Beam allows. */
  public static Instant toInstant(long millis) {
    if (millis <= BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    if (millis >= BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()) {
      return BoundedWindow.TIMESTAMP_MAX_VALUE;
    }
    return new Instant(millis);
  }
}
