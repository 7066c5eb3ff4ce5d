package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.dofn.DoFnInstance;
import io.sluice.translation.operators.dofn.DoFnSpec;
import io.sluice.translation.operators.dofn.StatefulDoFns;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import io.sluice.translation.records.KeyedRecordSerializer;
import io.sluice.translation.records.WindowedValueCodec;
import java.util.Iterator;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Beam's ParDo with state or timers, in batch. Elements arrive over a keyed edge; once the input
 * (and every side input) is complete, each key in turn gets fresh state, sees all its elements,
 * then the end of time, which fires its timers and expires its windows. Only one key's state is
 * live at a time, and the input itself is spilled past the memory budget.
 */
public final class BatchStatefulParDoOperator implements Operator {

  private final DoFnSpec spec;
  /** Runners-core's stateful runner over {@link #keyState}: derived, made at open, for the operator's life. */
  private DoFnRunner<Object, Object> runner;
  /** The user's DoFn and its bundles: derived, set up at open, torn down at close. */
  private DoFnInstance instance;
  /** Each side input whole: derived, batch input, lost with the subtask (a batch job reruns); open to close. */
  private BatchSideInputs sideInputs;
  /** The current key's state and timers: derived, on the heap (a batch job reruns), fresh per key. */
  private BatchKeyState keyState;
  /**
   * The main input, grouped by key: derived, batch input, lost with the subtask (a batch job
   * reruns); filled until input ends, handed out key by key, released at close.
   */
  private KeyGroupedInput input;
  /** Decodes a key's values: derived from the spec at open, for the operator's life. */
  private WindowedValueCodec<Object> codec;
  /** Derived from the spec at open, for the operator's life. */
  private Coder<Object> keyCoder;

  /** How the keyed edge into this operator carries elements: fully encoded, kept undecoded until the key's turn. */
  public static KeyedRecordSerializer inputSerializer(DoFnSpec spec) {
    return KeyedRecordSerializer.keepingBytes(inputCodec(spec));
  }

  /** The encoding of an input element without its key, which travels apart. */
  @SuppressWarnings("unchecked")
  private static WindowedValueCodec<Object> inputCodec(DoFnSpec spec) {
    return WindowedValueCodec.keyedValues(((KvCoder<?, Object>) spec.inputCoder()).getValueCoder(), spec.windowingStrategy());
  }

  public BatchStatefulParDoOperator(DoFnSpec spec) {
    this.spec = spec;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open(OperatorContext context) throws Exception {
    DoFn<Object, Object> fn = spec.newFn();
    sideInputs = new BatchSideInputs(spec.sideInputs());
    keyState = new BatchKeyState();
    DoFnRunner<Object, Object> simple = spec.newRunner(fn, sideInputs, new Emitter(context.output()), keyState);
    runner = StatefulDoFns.runner(spec, fn, simple, keyState);
    instance = new DoFnInstance(fn, runner, JobMetrics.forOperator(spec.stepName(), context).container(), keyState.bundleFinalizer(),
        spec.maxBundleSize());
    instance.setUp(spec.options());
    keyCoder = ((KvCoder<Object, Object>) spec.inputCoder()).getKeyCoder();
    codec = inputCodec(spec);
    input = new KeyGroupedInput(context);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      sideInputs.add(inputPort - 1, (WindowedValue<?>) record);
    } else {
      input.add((KeyedRecord) record);
    }
  }

  @Override
  public void complete() throws Exception {
    input.forEachGroup((keyBytes, encoded) -> {
      Iterator<WindowedValue<Object>> values = new DecodedValues<>(encoded, codec).iterator();
      Object key = CoderBytes.decode(keyCoder, keyBytes);
      keyState.startKey(key);
      // A key's elements and its timers stay in one bundle: its state lives only until then.
      instance.inBundle(() -> {
        while (values.hasNext()) {
          WindowedValue<Object> value = values.next();
          runner.processElement(value.withValue(KV.of(key, value.getValue())));
        }
        BatchTimers.fireAll(keyState.currentTimers(), timer -> StatefulDoFns.fireTimer(runner, key, timer));
      });
    });
    instance.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (input != null) {
        input.close();
      }
    } finally {
      if (instance != null) {
        instance.tearDown();
      }
    }
  }
}
