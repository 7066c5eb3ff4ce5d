package io.sluice.translation.state;

import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;

/**
 * A state namespace as a hash map key, equal when the namespaces are equal.
 *
 * <p>Why not the namespace itself: runners-core's window namespaces hash with {@code Objects.hash}
 * over the window, and an interval window's Joda instants hash through their chronology and time
 * zone. Every state access and timer of a streaming GroupByKey looks its namespace up, a dozen times
 * per element with a trigger; a profile of Combine.perKey with early firings found a tenth of the
 * operator's CPU in that hash. This one reads an interval window's bounds directly.
 */
public final class NamespaceKey {

  private final StateNamespace namespace;
  private final int hash;

  public NamespaceKey(StateNamespace namespace) {
    this.namespace = namespace;
    this.hash = hashOf(namespace);
  }

  public StateNamespace namespace() {
    return namespace;
  }

  /** A hash consistent with {@link StateNamespace#equals}, cheap for window namespaces. */
  public static int hashOf(StateNamespace namespace) {
    if (namespace instanceof StateNamespaces.WindowAndTriggerNamespace<?> windowAndTrigger) {
      return 31 * hashOf(windowAndTrigger.getWindow()) + windowAndTrigger.getTriggerIndex() + 1;
    }
    if (namespace instanceof StateNamespaces.WindowNamespace<?> window) {
      return hashOf(window.getWindow());
    }
    return namespace.hashCode();
  }

  /** Interval windows are equal when their bounds are (whatever else a subclass adds). */
  private static int hashOf(BoundedWindow window) {
    if (window instanceof IntervalWindow interval) {
      return 31 * Long.hashCode(interval.start().getMillis()) + Long.hashCode(interval.end().getMillis());
    }
    return window.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamespaceKey other
        && other.hash == hash
        && (other.namespace == namespace || other.namespace.equals(namespace));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return namespace.toString();
  }
}
