package io.sluice.translation.state;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaceForTest;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * What runners-core's StateInternalsTest leaves out about where state lives: hold notifications,
 * and isolation of keys, namespaces and tags sharing one store.
 */
@RunWith(Parameterized.class)
public class BinaryStateInternalsTest extends StoreParameterizedBase {

  public BinaryStateInternalsTest(String kind) {
    super(kind);
  }

  @Test
  public void holdListenerHearsOfEveryChangeAndNothingElse() {
    BinaryStateInternals state = forKey("k");
    WatermarkHoldState hold = state.state(NS1, HOLD);

    hold.add(new Instant(2000));
    hold.add(new Instant(3000)); // later than the earliest: no change
    hold.add(new Instant(1000));
    hold.clear();
    hold.clear(); // already clear: no change
    state.state(NS2, HOLD).add(new Instant(5000));

    assertEquals(4, holdChanges.size());
    byte[] cellKey = (byte[]) holdChanges.get(0)[0];
    assertEquals(new Instant(2000), holdChanges.get(0)[1]);
    assertSame(cellKey, holdChanges.get(1)[0]);
    assertEquals(new Instant(1000), holdChanges.get(1)[1]);
    assertSame(cellKey, holdChanges.get(2)[0]);
    assertNull(holdChanges.get(2)[1]);
    assertFalse(Arrays.equals(cellKey, (byte[]) holdChanges.get(3)[0]));
    assertEquals(new Instant(5000), holdChanges.get(3)[1]);
    // The key given out is where the hold lives, so a restore can find holds by it.
    assertArrayEquals(new byte[] {1, 'k'}, Arrays.copyOf(cellKey, 2));
    assertEquals(5000L, StateKeys.getLong(store.get((byte[]) holdChanges.get(3)[0]), 0));
  }

  @Test
  public void keysSharingAStoreDoNotSeeEachOther() {
    BinaryStateInternals a = forKey("a");
    BinaryStateInternals ab = forKey("ab");
    a.state(NS1, VALUE).write("from a");
    a.state(NS1, BAG).add("bag a");
    a.state(NS1, MAP).put("x", 1);
    a.state(NS1, HOLD).add(new Instant(7));
    ab.state(NS1, BAG).add("bag ab");
    ab.state(NS1, MAP).put("y", 2);

    assertThat(ab.state(NS1, VALUE).read(), nullValue());
    assertThat(ab.state(NS1, BAG).read(), contains("bag ab"));
    assertThat(ab.state(NS1, MAP).keys().read(), contains("y"));
    assertThat(ab.state(NS1, HOLD).read(), nullValue());
    assertThat(a.state(NS1, BAG).read(), contains("bag a"));

    ab.state(NS1, BAG).clear();
    ab.state(NS1, MAP).clear();
    assertThat(a.state(NS1, BAG).read(), contains("bag a"));
    assertThat(a.state(NS1, MAP).get("x").read(), equalTo(1));
    assertEquals("a", a.getKey());
  }

  @Test
  public void clearingOneStateLeavesOtherStatesAndNamespacesIntact() {
    BinaryStateInternals state = forKey("k");
    for (StateNamespace ns : Arrays.asList(NS1, NS2)) {
      state.state(ns, VALUE).write("v");
      state.state(ns, BAG).add("b");
      state.state(ns, SET).add("s");
      state.state(ns, MAP).put("m", 1);
    }
    // Ids and namespaces that extend others byte-wise must not be caught by their prefixes.
    state.state(NS1, StateTags.bag("bag2", StringUtf8Coder.of())).add("other bag");
    state.state(new StateNamespaceForTest("ns1x"), BAG).add("other namespace");

    state.state(NS1, BAG).clear();
    state.state(NS1, MAP).clear();

    assertThat(state.state(NS1, BAG).read(), emptyIterable());
    assertThat(state.state(NS1, MAP).isEmpty().read(), equalTo(true));
    assertThat(state.state(NS1, VALUE).read(), equalTo("v"));
    assertThat(state.state(NS1, SET).read(), contains("s"));
    assertThat(state.state(NS2, BAG).read(), contains("b"));
    assertThat(state.state(NS2, MAP).get("m").read(), equalTo(1));
    assertThat(state.state(NS1, StateTags.bag("bag2", StringUtf8Coder.of())).read(), contains("other bag"));
    assertThat(state.state(new StateNamespaceForTest("ns1x"), BAG).read(), contains("other namespace"));
  }

  @Test
  public void systemAndUserTagsWithOneIdAreDistinctCells() {
    BinaryStateInternals state = forKey("k");
    state.state(NS1, VALUE).write("user");
    state.state(NS1, StateTags.makeSystemTagInternal(VALUE)).write("system");
    assertThat(state.state(NS1, VALUE).read(), equalTo("user"));
  }

  @Test
  public void stateWrittenThroughOneInstanceIsSeenByTheNext() {
    forKey("k").state(NS1, BAG).add("one");
    forKey("k").state(NS1, BAG).add("two");
    forKey("k").state(NS1, MULTIMAP).put("x", 1);
    forKey("k").state(NS1, MULTIMAP).put("x", 2);
    assertThat(forKey("k").state(NS1, BAG).read(), contains("one", "two"));
    assertThat(forKey("k").state(NS1, MULTIMAP).get("x").read(), contains(1, 2));
  }

  @Test
  public void clearingEveryStateEmptiesTheStore() {
    BinaryStateInternals state = forKey("k");
    state.state(NS1, VALUE).write("v");
    state.state(NS1, BAG).add("b");
    state.state(NS1, SET).add("s");
    state.state(NS1, MAP).put("m", 1);
    state.state(NS1, MULTIMAP).put("m", 1);
    state.state(NS1, ORDERED).add(TimestampedValue.of("o", new Instant(1)));
    state.state(NS1, SUM).add(1);
    state.state(NS1, HOLD).add(new Instant(1));
    assertFalse(storeIsEmpty());

    for (StateTag<?> tag : Arrays.asList(VALUE, BAG, SET, MAP, MULTIMAP, ORDERED, SUM, HOLD)) {
      state.state(NS1, tag).clear();
    }
    assertTrue(storeIsEmpty());
  }
}
