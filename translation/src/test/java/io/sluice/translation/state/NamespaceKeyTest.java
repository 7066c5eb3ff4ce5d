package io.sluice.translation.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class NamespaceKeyTest {

  private static IntervalWindow window(long start, long end) {
    return new IntervalWindow(new Instant(start), new Instant(end));
  }

  /** Each call makes new objects. */
  private static List<StateNamespace> namespaces() {
    return List.of(
        StateNamespaces.global(),
        StateNamespaces.window(IntervalWindow.getCoder(), window(0, 10)),
        StateNamespaces.window(IntervalWindow.getCoder(), window(0, 11)),
        StateNamespaces.window(IntervalWindow.getCoder(), window(1, 10)),
        StateNamespaces.windowAndTrigger(IntervalWindow.getCoder(), window(0, 10), 0),
        StateNamespaces.windowAndTrigger(IntervalWindow.getCoder(), window(0, 10), 1),
        StateNamespaces.windowAndTrigger(IntervalWindow.getCoder(), window(-5, 10), 1),
        StateNamespaces.window(GlobalWindow.Coder.INSTANCE, GlobalWindow.INSTANCE),
        StateNamespaces.windowAndTrigger(GlobalWindow.Coder.INSTANCE, GlobalWindow.INSTANCE, 3));
  }

  /** Namespaces made apart but equal give equal keys; any difference Beam sees keeps them apart. */
  @Test
  void equalExactlyWhenTheNamespacesAreEqual() {
    List<StateNamespace> namespaces = namespaces();
    List<StateNamespace> again = namespaces();
    for (int i = 0; i < namespaces.size(); i++) {
      for (int j = 0; j < again.size(); j++) {
        NamespaceKey a = new NamespaceKey(namespaces.get(i));
        NamespaceKey b = new NamespaceKey(again.get(j));
        assertEquals(namespaces.get(i).equals(again.get(j)), a.equals(b), a + " against " + b);
        if (i == j) {
          assertEquals(a.hashCode(), b.hashCode());
          assertEquals(NamespaceKey.hashOf(namespaces.get(i)), NamespaceKey.hashOf(again.get(j)));
        } else {
          assertNotEquals(a, b);
        }
      }
    }
  }
}
