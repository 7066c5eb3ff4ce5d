package io.sluice.translation.state;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.CombineWithContext.CombineFnWithContext;
import org.apache.beam.sdk.transforms.CombineWithContext.Context;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * State behaviour runners-core's StateInternalsTest does not cover: ordered lists, multimaps, the
 * rest of the map API, copies on read, bound contexts, and elements that encode to no bytes.
 */
@RunWith(Parameterized.class)
public class BinaryStateTypesTest extends StoreParameterizedBase {

  public BinaryStateTypesTest(String kind) {
    super(kind);
  }

  @Test
  public void orderedListKeepsTimestampOrderAndHalfOpenRanges() {
    OrderedListState<String> list = forKey("k").state(NS1, ORDERED);
    assertTrue(list.isEmpty().read());
    ReadableState<Boolean> empty = list.isEmpty();
    list.add(TimestampedValue.of("c", new Instant(30)));
    list.add(TimestampedValue.of("minus", new Instant(-5)));
    list.add(TimestampedValue.of("a", new Instant(10)));
    list.add(TimestampedValue.of("b1", new Instant(20)));
    list.add(TimestampedValue.of("b2", new Instant(20)));
    list.add(TimestampedValue.of("b1", new Instant(20)));
    assertFalse(empty.read());

    assertThat(values(list.read()), contains("minus", "a", "b1", "b2", "b1", "c"));
    assertThat(values(list.readRange(new Instant(10), new Instant(30))), contains("a", "b1", "b2", "b1"));
    assertThat(values(list.readRange(new Instant(20), new Instant(20))), emptyIterable());
    assertThat(
        list.readRange(new Instant(-100), new Instant(0)),
        contains(TimestampedValue.of("minus", new Instant(-5))));

    list.clearRange(new Instant(15), new Instant(30));
    assertThat(values(list.read()), contains("minus", "a", "c"));
    list.clearRange(new Instant(Long.MIN_VALUE), new Instant(Long.MAX_VALUE));
    assertTrue(empty.read());
    assertTrue("no counter left behind", storeIsEmpty());

    list.add(TimestampedValue.of("again", new Instant(0)));
    list.clear();
    assertTrue(storeIsEmpty());
  }

  @Test
  public void multimapKeepsDuplicatesPerKey() {
    MultimapState<String, Integer> multimap = forKey("k").state(NS1, MULTIMAP);
    ReadableState<Boolean> containsB = multimap.containsKey("b");
    ReadableState<Iterable<Integer>> getA = multimap.get("a");
    assertTrue(multimap.isEmpty().read());

    multimap.put("a", 1);
    multimap.put("b", 2);
    multimap.put("a", 1);
    multimap.put("ab", 3);
    multimap.put("a", 4);

    assertTrue(containsB.read());
    assertThat(getA.read(), contains(1, 1, 4));
    assertThat(multimap.get("ab").read(), contains(3));
    assertThat(multimap.get("zz").read(), emptyIterable());
    assertThat(multimap.keys().read(), containsInAnyOrder("a", "b", "ab"));
    assertThat(
        multimap.entries().read(),
        containsInAnyOrder(entry("a", 1), entry("a", 1), entry("a", 4), entry("b", 2), entry("ab", 3)));

    multimap.remove("a");
    assertThat(getA.read(), emptyIterable());
    assertFalse(multimap.containsKey("a").read());
    assertThat(multimap.keys().read(), containsInAnyOrder("b", "ab"));
    multimap.remove("b");
    multimap.remove("ab");
    assertTrue(multimap.isEmpty().read());
    assertTrue("no counter left behind", storeIsEmpty());

    multimap.put("c", 5);
    multimap.clear();
    assertTrue(multimap.isEmpty().read());
    assertTrue(storeIsEmpty());
  }

  @Test
  public void mapComputeIfAbsentAndGetOrDefault() {
    MapState<String, Integer> map = forKey("k").state(NS1, MAP);
    assertThat(map.computeIfAbsent("a", k -> 1).read(), nullValue());
    assertThat(map.computeIfAbsent("a", k -> 2).read(), equalTo(1));
    assertThat(map.getOrDefault("b", 9).read(), equalTo(9));
    assertThat(map.getOrDefault("a", 9).read(), equalTo(1));
  }

  @Test
  public void readsAreCopiesCallersMayMutate() {
    BinaryStateInternals state = forKey("k");
    StateTag<ValueState<List<String>>> listValue =
        StateTags.value("list", ListCoder.of(StringUtf8Coder.of()));
    state.state(NS1, listValue).write(new ArrayList<>(List.of("x")));
    state.state(NS1, listValue).read().add("mutated");
    assertThat(state.state(NS1, listValue).read(), contains("x"));

    CombiningState<Integer, int[], Integer> sum = state.state(NS1, SUM);
    sum.add(3);
    sum.getAccum()[0] = 100;
    assertThat(sum.read(), equalTo(3));
  }

  @Test
  public void combiningWithContextSeesTheStateContext() {
    StateTag<CombiningState<Long, Long, Long>> tag =
        StateTags.combiningValueWithContext("ctx", VarLongCoder.of(), new AddSideInput());
    CombiningState<Long, Long, Long> state = forKey("k").state(NS1, tag, new FixedSideInput(40L));
    state.add(2L);
    assertThat(state.read(), equalTo(42L));
  }

  @Test
  public void elementsEncodingToNoBytesAreStillElements() {
    SetState<String> set = forKey("k").state(NS1, SET);
    MapState<String, Integer> map = forKey("k").state(NS1, MAP);
    set.add("");
    map.put("", 0);
    assertTrue(set.contains("").read());
    assertThat(set.read(), contains(""));
    assertThat(map.get("").read(), equalTo(0));
    assertThat(map.keys().read(), contains(""));
    set.remove("");
    map.remove("");
    assertTrue(storeIsEmpty());
  }

  private static List<String> values(Iterable<TimestampedValue<String>> timestamped) {
    List<String> out = new ArrayList<>();
    timestamped.forEach(tv -> out.add(tv.getValue()));
    return out;
  }

  private static Map.Entry<String, Integer> entry(String k, int v) {
    return new SimpleImmutableEntry<>(k, v);
  }

  /** A context whose every side input is one number. */
  private static final class FixedSideInput implements StateContext<BoundedWindow> {
    private final Long value;

    FixedSideInput(Long value) {
      this.value = value;
    }

    @Override
    public PipelineOptions getPipelineOptions() {
      return PipelineOptionsFactory.create();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T sideInput(PCollectionView<T> view) {
      return (T) value;
    }

    @Override
    public BoundedWindow window() {
      return GlobalWindow.INSTANCE;
    }
  }

  /** Adds the context's side input to every input, to show which context it was bound to. */
  private static final class AddSideInput extends CombineFnWithContext<Long, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator(Context c) {
      return 0L;
    }

    @Override
    public Long addInput(Long accumulator, Long input, Context c) {
      Long side = c.sideInput(null);
      return accumulator + input + side;
    }

    @Override
    public Long mergeAccumulators(Iterable<Long> accumulators, Context c) {
      long sum = 0;
      for (Long a : accumulators) {
        sum += a;
      }
      return sum;
    }

    @Override
    public Long extractOutput(Long accumulator, Context c) {
      return accumulator;
    }
  }
}
