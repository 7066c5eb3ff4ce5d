package io.sluice.translation.operators.timely;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.state.StoreLayout;
import io.sluice.translation.metrics.InstanceMetrics;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.dofn.DoFnInstance;
import io.sluice.translation.operators.dofn.DoFnSpec;
import io.sluice.translation.operators.dofn.StatefulDoFns;
import io.sluice.translation.operators.dofn.StatelessStepContext;
import io.sluice.translation.records.KeyedRecord;
import java.util.List;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.KeyedWorkItemCoder;
import org.apache.beam.runners.core.SimplePushbackSideInputDoFnRunner;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam's ParDo as its input flows, with or without state and timers: every ParDo of a streaming
 * job, and every splittable DoFn, in batch too (see {@link #splittable}). Input port 0 is the main
 * input (keyed records when the DoFn is stateful), ports 1.. the side inputs. Main input whose side
 * input windows are not ready yet is pushed back and retried as side inputs and watermarks arrive;
 * it holds the output watermark meanwhile, as do watermark holds and timers' output timestamps.
 * Bundles end when the input goes idle, before a watermark is forwarded, and at the size limit.
 */
public final class TimelyParDoOperator implements Operator {

  private static final Logger LOG = LoggerFactory.getLogger(TimelyParDoOperator.class);

  /** Processing-time timers fired at the end of time before the rest are dropped: looping timers. */
  private static final int MAX_FINAL_PROCESSING_TIMERS = 100_000;

  private final DoFnSpec spec;
  private final boolean keyed;
  private final SplittableProcessing splittable;
  private OperatorContext context;
  /** The user's DoFn and its bundles: derived, set up at open, torn down at close. */
  private DoFnInstance instance;
  private DoFnRunner<Object, Object> runner;
  private SimplePushbackSideInputDoFnRunner<Object, Object> pushback;
  /** The key of the element being processed: derived, per element. */
  private byte[] currentKey;
  /** Side-input contents: durable (an operator store); readiness and views derived. */
  private TimelySideInputs sideInputs;
  /** Keyed state and timers: durable (the keyed stores); null when the DoFn is stateless. */
  private TimelyKeyState keyState;
  /** Main input waiting for side inputs: durable (an operator store). */
  private PushedBackInput pushedBack;
  /**
   * Main input of a @RequiresStableInput DoFn waiting for a checkpoint to hold it: durable (an
   * operator store); null unless the DoFn requires stable input and the job takes checkpoints.
   */
  private PushedBackInput stableInput;
  /** Where stable input ended at each checkpoint's barrier: derived, until the checkpoint completes. */
  private final java.util.TreeMap<Long, Long> stableInputBarriers = new java.util.TreeMap<>();
  /** Stable input restored, to release before any other input: derived, set by a restore. */
  private long restoredStableInput;
  /** The step's metrics in this instance, committed with checkpoints: derived, open to close. */
  private InstanceMetrics stepMetrics;
  /** Derived from the input frames since the subtask started (upstream resends it after a restore). */
  private long inputWatermark = Long.MIN_VALUE;
  /** Derived: what was last forwarded; never goes back. */
  private long outputWatermark = Long.MIN_VALUE;
  /** The last watermark call stopped with event-time timers due (to let a checkpoint go first): derived. */
  private boolean yielded;

  public TimelyParDoOperator(DoFnSpec spec, boolean keyed) {
    this(spec, keyed, null);
  }

  private TimelyParDoOperator(DoFnSpec spec, boolean keyed, SplittableProcessing splittable) {
    this.spec = spec;
    this.keyed = keyed;
    this.splittable = splittable;
  }

  /**
   * Runs a splittable DoFn: {@code spec}'s DoFn is runners-core's ProcessFn for it, its input is
   * keyed (element, restriction) pairs.
   */
  public static TimelyParDoOperator splittable(DoFnSpec spec) {
    return new TimelyParDoOperator(spec, true, new SplittableProcessing(spec.mainOutputTag()));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    DoFn<Object, Object> fn = spec.newFn();
    Coder<BoundedWindow> windowCoder = (Coder<BoundedWindow>) spec.windowingStrategy().getWindowFn().windowCoder();
    sideInputs = new TimelySideInputs(spec.sideInputs(), () -> context.operatorStore("side-inputs", StoreLayout.UNION));
    pushedBack = new PushedBackInput(() -> context.operatorStore("pushed-back", StoreLayout.SPLIT),
        WindowedValues.getFullCoder(mainElementCoder(), windowCoder));
    StepContext stepContext;
    InMemoryBundleFinalizer finalizer;
    if (keyed) {
      Coder<?> keyCoder = spec.inputCoder() instanceof KeyedWorkItemCoder
          ? ((KeyedWorkItemCoder<?, ?>) spec.inputCoder()).getKeyCoder()
          : ((KvCoder<?, ?>) spec.inputCoder()).getKeyCoder();
      keyState = new TimelyKeyState(context, keyCoder, windowCoder);
      stepContext = keyState;
      finalizer = keyState.bundleFinalizer();
    } else {
      finalizer = new InMemoryBundleFinalizer();
      stepContext = new StatelessStepContext(finalizer);
    }
    Emitter emitter = new Emitter(context.output());
    DoFnRunner<Object, Object> simple = spec.newRunner(fn, sideInputs, emitter, stepContext);
    if (splittable != null) {
      // The ProcessFn keeps its own state and timers: no stateful runner around it.
      splittable.prepare(fn, keyState, sideInputs, spec.receiver(emitter), spec.options());
      runner = simple;
    } else if (keyed) {
      runner = StatefulDoFns.runner(spec, fn, simple, keyState);
    } else {
      runner = simple;
    }
    if (!spec.sideInputs().isEmpty() && splittable == null) {
      pushback = SimplePushbackSideInputDoFnRunner.create(runner, spec.sideInputs(), sideInputs);
    }
    stepMetrics = JobMetrics.forOperator(spec.stepName(), context);
    instance = new DoFnInstance(fn, pushback == null ? runner : new PushingBack(),
        stepMetrics.container(), finalizer, spec.maxBundleSize());
    if (context.checkpointsEnabled()) {
      instance.finalizeOnCheckpoints();
      if (DoFnSignatures.getSignature(fn.getClass()).processElement().requiresStableInput()) {
        stableInput = new PushedBackInput(() -> context.operatorStore("stable-input", StoreLayout.SPLIT),
            WindowedValues.getFullCoder(mainElementCoder(), windowCoder));
      }
    }
    instance.setUp(spec.options());
  }

  /** The main input's elements: for a splittable DoFn, the keyed (element, restriction) pairs of its work items. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Coder<Object> mainElementCoder() {
    if (spec.inputCoder() instanceof KeyedWorkItemCoder) {
      KeyedWorkItemCoder<?, ?> workItems = (KeyedWorkItemCoder<?, ?>) spec.inputCoder();
      return (Coder) KvCoder.of(workItems.getKeyCoder(), workItems.getElementCoder());
    }
    return (Coder<Object>) spec.inputCoder();
  }

  @Override
  public void restoreState(long checkpointId) throws Exception {
    sideInputs.restore();
    pushedBack.restore();
    if (keyState != null) {
      keyState.restore();
    }
    stepMetrics.restore();
    if (stableInput != null) {
      stableInput.restore();
      // A checkpoint holds it: it may be processed, before anything that arrives now.
      restoredStableInput = stableInput.nextSequence();
    }
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    releaseRestoredStableInput();
    // A bundle's output must be out before the barrier that follows it.
    instance.barrier(checkpointId);
    sideInputs.snapshot();
    if (keyState != null) {
      keyState.snapshot();
    }
    if (stableInput != null) {
      stableInputBarriers.put(checkpointId, stableInput.nextSequence());
    }
    stepMetrics.snapshot(checkpointId);
  }

  @Override
  public void checkpointComplete(long checkpointId) throws Exception {
    stepMetrics.checkpointComplete(checkpointId);
    instance.checkpointComplete(checkpointId);
    if (stableInput != null) {
      java.util.Map.Entry<Long, Long> stable = stableInputBarriers.floorEntry(checkpointId);
      stableInputBarriers.headMap(checkpointId, true).clear();
      if (stable != null) {
        releaseStableInput(stable.getValue());
      }
    }
  }

  /** Processes the stable input buffered before sequence {@code end}: a checkpoint holds it. */
  private void releaseStableInput(long end) throws Exception {
    List<PushedBackInput.Pending> stable = stableInput.takeBefore(end);
    for (PushedBackInput.Pending p : stable) {
      processMain(p.key(), p.element());
    }
    if (!stable.isEmpty()) {
      advanceTime();
    }
  }

  private void releaseRestoredStableInput() throws Exception {
    if (restoredStableInput > 0) {
      long end = restoredStableInput;
      restoredStableInput = 0;
      releaseStableInput(end);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      if (sideInputs.add(inputPort - 1, (WindowedValue<?>) record)) {
        retryPushedBack();
      }
    } else if (stableInput != null) {
      releaseRestoredStableInput();
      if (keyed) {
        KeyedRecord keyedRecord = (KeyedRecord) record;
        stableInput.add(keyedRecord.key(), (WindowedValue<Object>) keyedRecord.value());
      } else {
        stableInput.add(null, (WindowedValue<Object>) record);
      }
    } else if (keyed) {
      KeyedRecord keyedRecord = (KeyedRecord) record;
      processMain(keyedRecord.key(), (WindowedValue<Object>) keyedRecord.value());
    } else {
      processMain(null, (WindowedValue<Object>) record);
    }
  }

  private void processMain(byte[] key, WindowedValue<Object> element) throws Exception {
    if (keyed) {
      keyState.setKey(key, null);
    }
    currentKey = key;
    if (splittable == null) {
      instance.process(element);
      return;
    }
    // A work item runs in the global window; side inputs and state follow the element's own windows.
    for (WindowedValue<Object> inWindow : element.explodeWindows()) {
      if (splittable.sideInputsReady(spec.sideInputs(), sideInputs, inWindow)) {
        instance.process(splittable.workItem(key, inWindow));
      } else {
        pushedBack.add(key, inWindow);
      }
    }
  }

  private void retryPushedBack() throws Exception {
    if (pushedBack.isEmpty()) {
      return;
    }
    for (PushedBackInput.Pending p : pushedBack.takeAll()) {
      processMain(p.key(), p.element());
    }
  }

  @Override
  public void inputDone(int inputPort) throws Exception {
    if (inputPort > 0) {
      sideInputs.done(inputPort - 1);
      retryPushedBack();
      advanceTime();
    }
  }

  @Override
  public void portWatermark(int port, long watermark) throws Exception {
    if (port > 0) {
      sideInputs.advanceWatermark(port - 1, watermark);
      if (!pushedBack.isEmpty()) {
        retryPushedBack();
        advanceTime();
      }
    }
  }

  @Override
  public void watermark(long watermark) throws Exception {
    inputWatermark = watermark;
    if (!yielded) {
      retryPushedBack();
    }
    advanceTime();
  }

  @Override
  public boolean yielded() {
    return yielded;
  }

  /**
   * Moves event time on as far as the input and the pushed-back elements allow: an element that
   * waits for a side input is not late, so neither its state nor its timers may expire meanwhile.
   */
  private void advanceTime() throws Exception {
    if (keyed) {
      long effective = Math.min(inputWatermark, pushedBackMin());
      if (effective > keyState.inputWatermark() || yielded) {
        keyState.setInputWatermark(Math.max(effective, keyState.inputWatermark()));
        yielded = !keyState.fireEventTimers(keyState.inputWatermark(), this::fire);
        if (yielded) {
          // The rest fire when the engine calls again; the watermark waits for them.
          return;
        }
      }
    }
    instance.finish();
    emitWatermark();
  }

  /** Input not processed yet holds event time back: waiting for side inputs, or for a checkpoint. */
  private long pushedBackMin() {
    return stableInput == null ? pushedBack.minTimestamp()
        : Math.min(pushedBack.minTimestamp(), stableInput.minTimestamp());
  }

  @Override
  public void processingTime(long now) throws Exception {
    if (!keyed) {
      return;
    }
    int limit = now == Long.MAX_VALUE ? MAX_FINAL_PROCESSING_TIMERS : Integer.MAX_VALUE;
    if (keyState.fireProcessingTimers(now, (domain, upTo) -> fireTimers(domain, upTo, limit))) {
      instance.finish();
      emitWatermark();
    }
  }

  @Override
  public void idle() throws Exception {
    releaseRestoredStableInput();
    instance.finish();
  }

  @Override
  public void complete() throws Exception {
    if (stableInput != null) {
      // The input has ended and no later checkpoint covers it: what is buffered is all there is.
      releaseStableInput(Long.MAX_VALUE);
    }
    retryPushedBack();
    if (keyed) {
      keyState.setInputWatermark(Long.MAX_VALUE);
      fireTimers(TimelyKeyState.EVENT_TIME, Long.MAX_VALUE, Integer.MAX_VALUE);
      // A splittable DoFn's resumptions are real work: on the system clock they run when due, and
      // the job waits for them. A user's processing-time timers fire now: their input has ended.
      if (splittable == null || context.processingTimeMode() == ProcessingTimeMode.IN_BAND) {
        fireTimers(TimelyKeyState.PROCESSING_TIME, Long.MAX_VALUE, MAX_FINAL_PROCESSING_TIMERS);
      }
      fireTimers(TimelyKeyState.SYNCHRONIZED_PROCESSING_TIME, Long.MAX_VALUE, MAX_FINAL_PROCESSING_TIMERS);
    }
    instance.finalizeAll();
  }

  @Override
  public boolean hasPendingWork() {
    return splittable != null && keyState.hasTimers(TimelyKeyState.PROCESSING_TIME);
  }


  private void fireTimers(int domain, long upTo, int limit) throws Exception {
    int fired = 0;
    TimerData timer;
    while ((timer = keyState.pollDue(domain, upTo)) != null) {
      if (fired++ == limit) {
        LOG.warn("{}: stopped firing processing-time timers at the end of time after {} (a timer that keeps "
            + "resetting itself); the rest are dropped", spec.stepName(), limit);
        return;
      }
      fire(timer);
    }
  }

  private void fire(TimerData timer) throws Exception {
    Object key = keyState.key();
    if (splittable != null) {
      byte[] keyBytes = (byte[]) key;
      instance.inBundle(() -> runner.processElement(splittable.timerItem(keyBytes, timer)));
      return;
    }
    instance.inBundle(() -> StatefulDoFns.fireTimer(runner, key, timer));
  }

  /** Forwards the input watermark as far as holds, timers and pushed-back input allow. */
  private void emitWatermark() throws InterruptedException {
    long pending = pushedBackMin();
    if (keyed) {
      keyState.emitWatermark(pending);
      return;
    }
    long watermark = Math.min(inputWatermark, pending);
    if (watermark > outputWatermark) {
      outputWatermark = watermark;
      context.output().emitWatermark(watermark);
    }
  }


  @Override
  public void close() throws Exception {
    if (splittable != null) {
      splittable.close();
    }
    if (instance != null) {
      instance.tearDown();
    }
  }

  /**
   * The pushback runner seen as a plain runner: what it cannot process yet (its side input windows
   * are not ready) is kept, with its key, for a later retry.
   */
  private final class PushingBack implements DoFnRunner<Object, Object> {

    @Override
    public void startBundle() {
      pushback.startBundle();
    }

    @Override
    public void processElement(WindowedValue<Object> element) {
      for (WindowedValue<Object> waiting : pushback.processElementInReadyWindows(element)) {
        pushedBack.add(currentKey, waiting);
      }
    }

    @Override
    public <KeyT> void onTimer(String timerId, String timerFamilyId, KeyT key, BoundedWindow window,
        Instant timestamp, Instant outputTimestamp, TimeDomain timeDomain) {
      pushback.onTimer(timerId, timerFamilyId, key, window, timestamp, outputTimestamp, timeDomain);
    }

    @Override
    public void finishBundle() {
      pushback.finishBundle();
    }

    @Override
    public <KeyT> void onWindowExpiration(BoundedWindow window, Instant outputTimestamp, KeyT key) {
      pushback.onWindowExpiration(window, outputTimestamp, key);
    }

    @Override
    public DoFn<Object, Object> getFn() {
      return pushback.getFn();
    }
  }
}
