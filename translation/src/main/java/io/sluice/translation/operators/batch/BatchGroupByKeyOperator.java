package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.dofn.ReduceFnRunners;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import io.sluice.translation.records.KeyedRecordSerializer;
import io.sluice.translation.records.WindowedValueCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.collect.Iterables;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam's GroupByKey in batch. Elements arrive over a keyed edge as bytes and are kept so, on the
 * heap or in a spilling sort; once the input ends each key's values go through runners-core's ReduceFnRunner
 * (so every WindowFn, merging ones included, and every trigger behave as Beam defines), followed by
 * the end of time, which fires the remaining panes.
 */
public final class BatchGroupByKeyOperator<K, V, W extends BoundedWindow> implements Operator {

  private static final Logger LOG = LoggerFactory.getLogger(BatchGroupByKeyOperator.class);

  private static final int ELEMENTS_PER_CALL = 1024;

  private final KvCoder<K, V> inputCoder;
  private final WindowingStrategy<?, W> windowingStrategy;
  /** The options as the job was submitted with them, shipped with the graph. */
  private final SerializablePipelineOptions shippedOptions;
  /** The options, read back in the process that runs the job: derived, at open, for the operator's life. */
  private PipelineOptions options;
  private final boolean firesOnceAtEndOfWindow;
  private final WindowedValueCodec.Grouping<V> codec;
  /**
   * Every key's values, as bytes: derived, batch input, lost with the subtask (a batch job reruns);
   * filled until input ends, handed out key by key, released at close.
   */
  private KeyGroupedInput input;
  /** Derived: made at open, for the operator's life. */
  private Emitter out;
  /** Trigger machinery shared by all keys: derived, made at open, for the operator's life. */
  private ReduceFnRunners<K, V, Iterable<V>, W> reducers;
  /** For logs: derived, set at open, for the operator's life. */
  private String stepName;

  @SuppressWarnings("unchecked")
  public BatchGroupByKeyOperator(KvCoder<K, V> inputCoder, WindowingStrategy<?, ?> windowingStrategy, SerializablePipelineOptions shippedOptions) {
    this.inputCoder = inputCoder;
    this.windowingStrategy = (WindowingStrategy<?, W>) windowingStrategy;
    this.shippedOptions = shippedOptions;
    this.firesOnceAtEndOfWindow = windowingStrategy.getWindowFn().isNonMerging()
        && windowingStrategy.getTrigger() instanceof DefaultTrigger;
    this.codec = inputCodec(inputCoder, windowingStrategy);
  }

  private static <V> WindowedValueCodec.Grouping<V> inputCodec(KvCoder<?, V> inputCoder, WindowingStrategy<?, ?> windowing) {
    return WindowedValueCodec.forGrouping(inputCoder.getValueCoder(), windowing);
  }

  /** How the keyed edge into this operator carries elements: as the grouping encoding's bytes, kept undecoded. */
  public static KeyedRecordSerializer inputSerializer(KvCoder<?, ?> inputCoder, WindowingStrategy<?, ?> windowing) {
    return KeyedRecordSerializer.keepingBytes(inputCodec(inputCoder, windowing));
  }

  @Override
  public void open(OperatorContext context) {
    this.options = shippedOptions.get();
    out = new Emitter(context.output());
    reducers = ReduceFnRunners.grouping(inputCoder.getValueCoder(), windowingStrategy, options, out);
    stepName = context.operatorName();
    input = new KeyGroupedInput(context);
  }

  @Override
  public void process(int inputPort, Object record) throws Exception {
    input.add((KeyedRecord) record);
  }

  @Override
  public void complete() throws Exception {
    long start = System.nanoTime();
    LOG.debug("{}: input complete, emitting groups", stepName);
    try {
      emitGroups();
    } finally {
      LOG.debug("{}: groups emitted in {} ms", stepName, (System.nanoTime() - start) / 1_000_000);
    }
  }

  private void emitGroups() throws Exception {
    if (firesOnceAtEndOfWindow) {
      input.forEachGroup((keyBytes, values) -> {
        K key = CoderBytes.decode(inputCoder.getKeyCoder(), keyBytes);
        if (values.onDisk()) {
          groupPerWindowOnDisk(key, values);
        } else {
          groupPerWindow(key, new DecodedValues<>(values, codec).iterator());
        }
      });
      return;
    }
    input.forEachGroup((keyBytes, encoded) -> {
      K key = CoderBytes.decode(inputCoder.getKeyCoder(), keyBytes);
      Iterator<WindowedValue<V>> values = new DecodedValues<>(encoded, codec).iterator();
      InMemoryTimerInternals timers = new InMemoryTimerInternals();
      ReduceFnRunner<K, V, Iterable<V>, W> reduce = reducers.forKey(key, InMemoryStateInternals.forKey(key), timers);
      List<WindowedValue<V>> chunk = new ArrayList<>(ELEMENTS_PER_CALL);
      while (values.hasNext()) {
        chunk.add(values.next());
        if (chunk.size() == ELEMENTS_PER_CALL) {
          reduce.processElements(chunk);
          chunk = new ArrayList<>(ELEMENTS_PER_CALL);
        }
      }
      reduce.processElements(chunk);
      List<TimerData> fired = new ArrayList<>();
      BatchTimers.fireAll(timers, timer -> {
        fired.clear();
        fired.add(timer);
        reduce.onTimers(fired);
      });
      reduce.persist();
    });
  }

  /**
   * Non-merging windows and the default trigger, in batch: each window of a key fires exactly once,
   * on time, with everything. That is what ReduceFnRunner would compute, without its per-element
   * bookkeeping (state, triggers, timers), which dominated a large GroupByKey.
   */
  private void groupPerWindow(K key, Iterator<WindowedValue<V>> values) {
    TimestampCombiner combiner = windowingStrategy.getTimestampCombiner();
    // Most keys see a single window (always, with global windowing): no maps until a second one.
    BoundedWindow window = null;
    List<V> group = null;
    Instant timestamp = null;
    Map<BoundedWindow, List<V>> groups = null;
    Map<BoundedWindow, Instant> timestamps = null;
    while (values.hasNext()) {
      WindowedValue<V> element = values.next();
      for (BoundedWindow w : element.getWindows()) {
        Instant assigned = combiner.assign(w, element.getTimestamp());
        if (groups == null && (window == null || window.equals(w))) {
          if (window == null) {
            window = w;
            group = new ArrayList<>();
            timestamp = assigned;
          } else {
            timestamp = combiner.combine(timestamp, assigned);
          }
          group.add(element.getValue());
          continue;
        }
        if (groups == null) {
          groups = new LinkedHashMap<>();
          timestamps = new HashMap<>();
          groups.put(window, group);
          timestamps.put(window, timestamp);
        }
        groups.computeIfAbsent(w, x -> new ArrayList<>()).add(element.getValue());
        timestamps.merge(w, assigned, (a, b) -> combiner.combine(a, b));
      }
    }
    if (groups == null) {
      if (window != null) {
        emitGroup(key, window, group, timestamp);
      }
      return;
    }
    for (Map.Entry<BoundedWindow, List<V>> g : groups.entrySet()) {
      emitGroup(key, g.getKey(), g.getValue(), timestamps.get(g.getKey()));
    }
  }

  /**
   * As {@link #groupPerWindow}, for a key whose values did not fit the heap: each window's values
   * are handed out as an iterable that reads them back from disk, as often as the DoFn iterates.
   * One pass reads only the timestamps and windows.
   */
  private void groupPerWindowOnDisk(K key, EncodedValues values) throws IOException {
    TimestampCombiner combiner = windowingStrategy.getTimestampCombiner();
    Map<BoundedWindow, Instant> timestamps = new LinkedHashMap<>();
    if (windowingStrategy.getWindowFn() instanceof GlobalWindows && combiner == TimestampCombiner.END_OF_WINDOW) {
      // One window, whose end is the timestamp: nothing to read before handing the values out.
      timestamps.put(GlobalWindow.INSTANCE, combiner.assign(GlobalWindow.INSTANCE, BoundedWindow.TIMESTAMP_MIN_VALUE));
    } else {
      readWindows(values, combiner, timestamps);
    }
    Iterable<WindowedValue<V>> decoded = new DecodedValues<>(values, codec);
    for (Map.Entry<BoundedWindow, Instant> window : timestamps.entrySet()) {
      BoundedWindow w = window.getKey();
      Iterable<WindowedValue<V>> inWindow = timestamps.size() == 1
          ? decoded
          : Iterables.filter(decoded, element -> element.getWindows().contains(w));
      emitGroup(key, w, Iterables.transform(inWindow, WindowedValue::getValue), window.getValue());
    }
  }

  /** One pass over the timestamps and windows alone: each window's output timestamp. */
  private void readWindows(EncodedValues values, TimestampCombiner combiner, Map<BoundedWindow, Instant> timestamps)
      throws IOException {
    try (EncodedValues.Cursor cursor = values.cursor()) {
      while (cursor.next()) {
        Instant timestamp = codec.timestamp(cursor.bytes(), cursor.offset());
        for (BoundedWindow w : codec.windows(cursor.bytes(), cursor.offset(), cursor.length())) {
          timestamps.merge(w, combiner.assign(w, timestamp), combiner::combine);
        }
      }
    }
  }

  private void emitGroup(K key, BoundedWindow window, Iterable<V> values, Instant timestamp) {
    out.emit(0, WindowedValues.of(KV.of(key, values), timestamp, window, PaneInfo.ON_TIME_AND_ONLY_FIRING));
  }

  @Override
  public void close() {
    if (input != null) {
      input.close();
    }
  }
}
