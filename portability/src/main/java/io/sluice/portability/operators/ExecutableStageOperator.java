package io.sluice.portability.operators;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.timely.TimelyKeyState;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.FinalizeBundleRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.InstructionRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.InstructionResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleSplitResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateResponse;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a fused stage of user code in its SDK harness, over the Fn API: elements of the main input
 * go into a bundle as they come; a bundle ends when the subtask has nothing else to do, before a
 * watermark goes on, before a checkpoint, and at the end of input. Side inputs arrive whole first
 * (the main input waits meanwhile) and the harness reads them through state requests. What the
 * harness outputs arrives on gRPC threads and is queued; the subtask's thread sends it on after
 * each element and at the end of each bundle. A bundle that asks for finalization is finalized once
 * its output is durable: at once without checkpoints, else when the next checkpoint completes.
 * A stage without user state, timers or splittable DoFns splits a bundle the harness is slow
 * with, and runs the pieces side by side ({@link DynamicSplits}).
 *
 * <p>A stage that keeps user state or sets timers is keyed: its input comes partitioned by the
 * key's nested encoding (the bytes the harness names keys by), its user state is served from the
 * operator's keyed stores ({@link UserStateRequests}), and the timers the harness sets go into the
 * same timer queue as the Java path's, firing in bundles of their own as event or processing time
 * passes; their output timestamps hold the output watermark. While a bundle is open only the
 * harness's state requests touch the keyed stores; between bundles only the subtask's thread does
 * (timers set, timers fired, snapshots). No lock is needed for that: a bundle's close returns
 * after its last state request was answered.
 */
public final class ExecutableStageOperator implements Operator {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutableStageOperator.class);

  /** Due timers sent to the harness in one bundle. */
  private static final int TIMERS_PER_BUNDLE = 1000;
  /** How long the harness may take to run a bundle's finalization callbacks. */
  private static final long FINALIZE_TIMEOUT_SECONDS = 60;
  /** Processing-time timers fired at the end of input before the rest are dropped: looping timers. */
  private static final int MAX_FINAL_PROCESSING_TIMERS = 100_000;

  /** Fixed: the stage, its job, its output collections by port and side-input collections by port - 1. */
  private final byte[] payload;
  private final JobInfo job;
  private final List<String> outputs;
  private final List<String> sideInputs;

  /**
   * What arrives from the harness on gRPC threads, or from a bundle's close: an output on a port, a
   * timer set or cleared, an answer to a split, a splittable DoFn's residuals, a bundle that asks
   * for finalization.
   */
  private sealed interface Arrived permits Output, TimerSet, Split, Checkpointed, FinalizationAsked {}

  private record Output(int port, Object value) implements Arrived {}

  private record TimerSet(Timer<?> timer, TimerInternals.TimerData data) implements Arrived {}

  private record Split(String bundleId, ProcessBundleSplitResponse answer) implements Arrived {}

  private record Checkpointed(ProcessBundleResponse response) implements Arrived {}

  private record FinalizationAsked(String bundleId) implements Arrived {}

  // Derived, for the operator's life on the subtask's thread unless said otherwise.
  private OperatorContext context;
  private Emitter emitter;
  private ExecutableStageContext stageContext;
  private StageBundles bundles;
  private OutputReceiverFactory receivers;
  /** Filled by gRPC threads, drained by the subtask's thread. */
  private final ConcurrentLinkedQueue<Arrived> arrived = new ConcurrentLinkedQueue<>();
  /** The side inputs as they stand; null for a stage without any. */
  private StageSideInputs sides;
  /**
   * Main input whose side windows are not ready yet, in arrival order, until they are: durable (an
   * operator store of this subtask's, at each checkpoint).
   */
  private final List<Object> waiting = new ArrayList<>();
  /** The earliest timestamp in {@link #waiting}, which holds the watermark; derived with it. */
  private long waitingHold = Long.MAX_VALUE;
  private StateRequestHandler state;
  /** The runner's coder of the stage's input as the harness reads it: derived, for the operator's life. */
  private Coder<WindowedValue<Object>> inputCoder;
  /** What each completed bundle's harness reports; the job's, shared. */
  private BundleProgressHandler progress;
  /**
   * Keyed state and timers, durable in the keyed stores; null for a stage without user state or
   * timers. The key coder encodes nested: see {@link NestedKeyCoder}.
   */
  private TimelyKeyState keyState;
  private TimerReceiverFactory timerReceivers;
  /** A keyed stage's timers and time-sorted input; null for a stage without user state or timers. */
  private StageTimers timers;
  /** What splittable DoFns handed back, to resume when due: durable (an operator store). */
  private SplitResiduals residuals;
  /** The open bundle and its main input, or null between bundles. */
  private RemoteBundle bundle;
  private FnDataReceiver<Object> input;
  /** How a stage that may split its bundles ends them; null for one that may not. */
  private DynamicSplits splits;
  /**
   * Bundles whose harness asked to be told once their output is durable: derived, until the next
   * checkpoint takes them (or at once, without checkpoints); then by checkpoint until it completes.
   */
  private final List<String> toFinalize = new ArrayList<>();
  private final java.util.TreeMap<Long, List<String>> finalizeAtCheckpoint = new java.util.TreeMap<>();
  /** Derived from the input since the subtask started; the output's never goes back. */
  private long inputWatermark = Long.MIN_VALUE;
  private long outputWatermark = Long.MIN_VALUE;

  public ExecutableStageOperator(byte[] payload, JobInfo job, List<String> outputs, List<String> sideInputs) {
    this.payload = payload;
    this.job = job;
    this.outputs = List.copyOf(outputs);
    this.sideInputs = List.copyOf(sideInputs);
  }

  /** Whether the stage keeps user state or sets timers: its input must then come keyed. */
  public static boolean isKeyed(ExecutableStage stage) {
    return !stage.getUserStates().isEmpty() || !stage.getTimers().isEmpty();
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    emitter = new Emitter(context.output());
    StageMetrics metrics = context.jobResource(StageMetrics.class);
    progress = new BundleProgressHandler() {
      @Override
      public void onProgress(org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleProgressResponse p) {}

      @Override
      public void onCompleted(org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleResponse response) {
        metrics.bundleCompleted(response.getMonitoringInfosList());
      }
    };
    ExecutableStage stage = ExecutableStage.fromPayload(RunnerApi.ExecutableStagePayload.parseFrom(payload));
    inputCoder = RunnerWireCoders.of(stage.getInputPCollection(), stage.getComponents());
    residuals = new SplitResiduals(inputCoder);
    stageContext = StageContexts.acquire(job);
    // Sluice's contexts describe each stage themselves (StageContexts), bundles that can split included.
    bundles = (StageBundles) stageContext.getStageBundleFactory(stage);
    Map<String, Integer> ports = new HashMap<>();
    for (int p = 0; p < outputs.size(); p++) {
      ports.put(outputs.get(p), p);
    }
    receivers = new OutputReceiverFactory() {
      @Override
      public <T> FnDataReceiver<T> create(String collection) {
        Integer port = ports.get(collection);
        if (port == null) {
          throw new IllegalStateException("the harness outputs " + collection + ", not an output of the stage");
        }
        return value -> arrived.add(new Output(port, value));
      }
    };
    EnumMap<StateKey.TypeCase, StateRequestHandler> byType = new EnumMap<>(StateKey.TypeCase.class);
    if (!sideInputs.isEmpty()) {
      sides = new StageSideInputs(stage, sideInputs);
      StateRequestHandler sideState = StateRequestHandlers.forSideInputHandlerFactory(
          ProcessBundleDescriptors.getSideInputs(stage), sides);
      byType.put(StateKey.TypeCase.ITERABLE_SIDE_INPUT, sideState);
      byType.put(StateKey.TypeCase.MULTIMAP_SIDE_INPUT, sideState);
      byType.put(StateKey.TypeCase.MULTIMAP_KEYS_SIDE_INPUT, sideState);
    }
    if (isKeyed(stage)) {
      WindowedValues.FullWindowedValueCoder<?> keyedCoder = (WindowedValues.FullWindowedValueCoder<?>) inputCoder;
      Coder<BoundedWindow> windowCoder = (Coder<BoundedWindow>) keyedCoder.getWindowCoder();
      Coder<Object> keyCoder = new NestedKeyCoder(((KvCoder<?, ?>) keyedCoder.getValueCoder()).getKeyCoder());
      keyState = new TimelyKeyState(context, keyCoder, windowCoder);
      UserStateRequests userState = new UserStateRequests(keyState, windowCoder,
          UserStateRequests.multimapValueCoders(stage));
      for (StateKey.TypeCase type : List.of(StateKey.TypeCase.BAG_USER_STATE, StateKey.TypeCase.MULTIMAP_USER_STATE,
          StateKey.TypeCase.MULTIMAP_KEYS_USER_STATE, StateKey.TypeCase.MULTIMAP_ENTRIES_USER_STATE,
          StateKey.TypeCase.ORDERED_LIST_USER_STATE)) {
        byType.put(type, userState);
      }
      timerReceivers = new TimerReceiverFactory(bundles,
          (timer, data) -> arrived.add(new TimerSet(timer, data)), windowCoder);
      timers = new StageTimers(stage, keyState, keyCoder, windowCoder,
          (Coder<Object>) keyedCoder.getValueCoder());
      state = withCacheTokens(StateRequestHandlers.delegateBasedUponType(byType), userState);
    } else {
      state = byType.isEmpty() ? StateRequestHandler.unsupported() : StateRequestHandlers.delegateBasedUponType(byType);
      if (DynamicSplits.splits(stage)) {
        // Its bundles may run side by side: no state of the runner's changes while they do.
        splits = new DynamicSplits(this::newBundle, context.operatorName());
      }
    }
  }

  /** {@code handler} with the cache tokens of {@code userState}: the harness may keep user state across bundles. */
  private static StateRequestHandler withCacheTokens(StateRequestHandler handler, StateRequestHandler userState) {
    return new StateRequestHandler() {
      @Override
      public java.util.concurrent.CompletionStage<StateResponse.Builder> handle(StateRequest request)
          throws Exception {
        return handler.handle(request);
      }

      @Override
      public Iterable<ProcessBundleRequest.CacheToken> getCacheTokens() {
        return userState.getCacheTokens();
      }
    };
  }

  @Override
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      // The harness reads side inputs on gRPC threads while a bundle is open: they change between bundles only.
      finishBundle();
      if (sides.add(inputPort - 1, (WindowedValue<?>) record)) {
        releaseReady();
      }
    } else if (sides != null && !sides.isReady(windowed(record))) {
      waiting.add(record);
      waitingHold = Math.min(waitingHold, windowed(record).getTimestamp().getMillis());
    } else {
      mainInput(record);
    }
  }

  private static WindowedValue<?> windowed(Object record) {
    return (WindowedValue<?>) (record instanceof KeyedRecord keyed ? keyed.value() : record);
  }

  /** Sends on the waiting main input whose side windows became ready, in arrival order. */
  private void releaseReady() throws Exception {
    if (waiting.isEmpty()) {
      return;
    }
    List<Object> stillWaiting = new ArrayList<>();
    waitingHold = Long.MAX_VALUE;
    for (Object record : waiting) {
      if (sides.isReady(windowed(record))) {
        mainInput(record);
      } else {
        stillWaiting.add(record);
        waitingHold = Math.min(waitingHold, windowed(record).getTimestamp().getMillis());
      }
    }
    boolean released = stillWaiting.size() < waiting.size();
    waiting.clear();
    waiting.addAll(stillWaiting);
    if (released) {
      // What they held the watermark at goes with them.
      advanceTime();
    }
  }

  @Override
  public void portWatermark(int port, long watermark) throws Exception {
    if (port > 0) {
      sides.watermark(port - 1, watermark);
      releaseReady();
    }
  }

  private void mainInput(Object record) throws Exception {
    if (timers == null) {
      feed(record);
      return;
    }
    timers.seen((KeyedRecord) record);
    if (timers.sortsInput()) {
      // Into the key's sort buffer, which the subtask's thread may touch only between bundles.
      finishBundle();
      timers.sort((KeyedRecord) record);
    } else {
      feed(((KeyedRecord) record).value());
    }
  }

  @Override
  public void inputDone(int inputPort) throws Exception {
    if (inputPort > 0) {
      sides.done(inputPort - 1);
      releaseReady();
      advanceTime();
    }
  }

  private void feed(Object record) throws Exception {
    openBundle();
    input.accept(record);
    if (splits != null) {
      splits.sent(record);
    }
    sendArrived();
  }

  /** A bundle whose answers to splits, residuals and asks for finalization come back as messages. */
  private RemoteBundle newBundle() {
    // Known before any split is asked of it.
    AtomicReference<String> id = new AtomicReference<>();
    RemoteBundle opened = bundles.getBundle(receivers, timerReceivers, state, progress,
        answer -> arrived.add(new Split(id.get(), answer)),
        bundleId -> arrived.add(new FinalizationAsked(bundleId)),
        response -> arrived.add(new Checkpointed(response)));
    id.set(opened.getId());
    return opened;
  }

  private void openBundle() throws Exception {
    if (bundle == null) {
      bundle = newBundle();
      @SuppressWarnings("unchecked")
      FnDataReceiver<Object> only = (FnDataReceiver<Object>) bundle.getInputReceivers().values().iterator().next();
      input = only;
      if (timers != null) {
        timers.bundleOpened(context.processingTimeMode() == ProcessingTimeMode.IN_BAND
            ? context.processingTime() - System.currentTimeMillis() : 0);
      }
    }
  }

  /**
   * Ends the open bundle: the harness has then output all it will for it and asks nothing more of
   * the state; the timers it set are applied.
   */
  private void finishBundle() throws Exception {
    if (bundle != null) {
      RemoteBundle ending = bundle;
      bundle = null;
      input = null;
      if (splits != null) {
        splits.finish(ending, this::sendArrived);
      } else {
        ending.close();
      }
    }
    sendArrived();
    if (!toFinalize.isEmpty() && !context.checkpointsEnabled()) {
      // Without checkpoints a bundle's output is as durable as it gets once it has been sent on.
      finalize(List.copyOf(toFinalize));
      toFinalize.clear();
    }
    if (timers != null) {
      timers.bundleClosed();
    }
    if (!residuals.isEmpty()) {
      context.scheduleProcessingTime(residuals.earliestDue());
    }
  }

  private void sendArrived() throws Exception {
    for (Arrived a = arrived.poll(); a != null; a = arrived.poll()) {
      if (a instanceof Output o) {
        emitter.emit(o.port(), o.value());
      } else if (a instanceof TimerSet set) {
        timers.harnessSet(set.timer(), set.data());
      } else if (a instanceof Split split) {
        splits.split(split.bundleId(), split.answer());
      } else if (a instanceof Checkpointed c) {
        residuals.add(c.response(), context.processingTime());
      } else {
        toFinalize.add(((FinalizationAsked) a).bundleId());
      }
    }
  }

  @Override
  public void watermark(long watermark) throws Exception {
    inputWatermark = watermark;
    advanceTime();
  }

  /**
   * Ends the bundle, fires the event-time timers the input watermark has passed and forwards the
   * watermark as far as their output timestamps allow; main input waiting for side inputs holds it.
   */
  private void advanceTime() throws Exception {
    finishBundle();
    long watermark = heldWatermark();
    if (keyState != null && watermark > keyState.inputWatermark()) {
      keyState.setInputWatermark(watermark);
      fireTimers(TimelyKeyState.EVENT_TIME, watermark, Integer.MAX_VALUE);
    }
    emitWatermark();
  }

  /** The input watermark, held at the earliest main input still waiting for side inputs. */
  private long heldWatermark() {
    return Math.min(inputWatermark, waitingHold);
  }

  /** Forwards the input watermark as far as timers' output timestamps and waiting residuals allow. */
  private void emitWatermark() throws InterruptedException {
    if (keyState != null) {
      keyState.emitWatermark(residuals.hold());
      return;
    }
    long watermark = Math.min(heldWatermark(), residuals.hold());
    if (watermark > outputWatermark) {
      outputWatermark = watermark;
      context.output().emitWatermark(watermark);
    }
  }

  @Override
  public void processingTime(long now) throws Exception {
    finishBundle();
    if (!residuals.isEmpty()) {
      for (WindowedValue<Object> resumed : residuals.takeDue(now)) {
        feed(resumed);
      }
      finishBundle();
      emitWatermark();
    }
    if (keyState != null
        && keyState.fireProcessingTimers(now, (domain, upTo) -> fireTimers(domain, upTo, Integer.MAX_VALUE))) {
      emitWatermark();
    }
  }

  @Override
  public boolean hasPendingWork() {
    return !residuals.isEmpty();
  }

  /**
   * Fires the timers of {@code domain} that {@code upTo} has passed, and releases time-sorted input
   * up to it, in bundles of their own until nothing is due: a timer the harness sets while another
   * fires fires too if it is due.
   */
  private void fireTimers(int domain, long upTo, int limit) throws Exception {
    int fired = 0;
    while (true) {
      StageTimers.Batch batch = timers.nextDue(domain, upTo, TIMERS_PER_BUNDLE);
      if (batch.isEmpty()) {
        return;
      }
      // A timer's user code may take long: what earlier bundles emitted goes downstream first.
      context.flushOutputs();
      openBundle();
      for (WindowedValue<Object> element : batch.elements()) {
        input.accept(element);
      }
      Map<KV<String, String>, FnDataReceiver<Timer>> timerInputs = bundle.getTimerReceivers();
      for (StageTimers.Due timer : batch.timers()) {
        timerInputs.get(timer.family()).accept(timer.timer());
      }
      fired += batch.timers().size();
      finishBundle();
      if (fired >= limit) {
        LOG.warn("{}: stopped firing processing-time timers at the end of input after {} (a timer that keeps "
            + "setting itself again); the rest are dropped", context.operatorName(), fired);
        return;
      }
    }
  }

  @Override
  public void idle() throws Exception {
    finishBundle();
  }

  @Override
  public void complete() throws Exception {
    finishBundle();
    if (keyState != null) {
      inputWatermark = Long.MAX_VALUE;
      keyState.setInputWatermark(Long.MAX_VALUE);
      fireTimers(TimelyKeyState.EVENT_TIME, Long.MAX_VALUE, Integer.MAX_VALUE);
      // Processing time does not end with the input; the timers set on it fire now all the same.
      fireTimers(TimelyKeyState.PROCESSING_TIME, Long.MAX_VALUE, MAX_FINAL_PROCESSING_TIMERS);
    }
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    // What the harness still holds of a bundle must be out before the barrier, its state and timers in the stores.
    finishBundle();
    if (keyState != null) {
      keyState.snapshot();
    }
    residuals.snapshot(context.operatorStore("residuals", StoreLayout.SPLIT));
    if (sides != null) {
      sides.snapshot(context.operatorStore("side-inputs", StoreLayout.UNION));
      snapshotWaiting(context.operatorStore("waiting-main-input", StoreLayout.SPLIT));
    }
    if (!toFinalize.isEmpty()) {
      finalizeAtCheckpoint.put(checkpointId, List.copyOf(toFinalize));
      toFinalize.clear();
    }
  }

  @Override
  public void checkpointComplete(long checkpointId) throws Exception {
    java.util.SortedMap<Long, List<String>> durable = finalizeAtCheckpoint.headMap(checkpointId, true);
    for (List<String> bundleIds : durable.values()) {
      finalize(bundleIds);
    }
    durable.clear();
  }

  /**
   * Tells the harness that these bundles' output is durable, so that it runs their finalization
   * callbacks (acknowledging a message source, say), and waits, bounded, for it to have done so.
   */
  private void finalize(List<String> bundleIds) throws Exception {
    InstructionRequestHandler harness = bundles.getInstructionRequestHandler();
    List<java.util.concurrent.CompletableFuture<InstructionResponse>> answers = new ArrayList<>();
    for (String bundleId : bundleIds) {
      answers.add(harness.handle(InstructionRequest.newBuilder()
          .setInstructionId("finalize-" + bundleId)
          .setFinalizeBundle(FinalizeBundleRequest.newBuilder().setInstructionId(bundleId))
          .build()).toCompletableFuture());
    }
    for (java.util.concurrent.CompletableFuture<InstructionResponse> answer : answers) {
      InstructionResponse response = answer.get(FINALIZE_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      if (!response.getError().isEmpty()) {
        throw new IllegalStateException("finalizing bundle " + response.getInstructionId() + " failed in the SDK"
            + " harness: " + response.getError());
      }
    }
  }

  @Override
  public void restoreState(long checkpointId) throws Exception {
    if (keyState != null) {
      keyState.restore();
    }
    residuals.restore(context.operatorStore("residuals", StoreLayout.SPLIT));
    if (sides != null) {
      sides.restore(context.operatorStore("side-inputs", StoreLayout.UNION));
      restoreWaiting(context.operatorStore("waiting-main-input", StoreLayout.SPLIT));
    }
  }

  /**
   * Each waiting element under this subtask's number and its place in line: its key's bytes (or
   * none, -1), then the element in the input's wire coder.
   */
  @SuppressWarnings("unchecked")
  private void snapshotWaiting(SortedByteStore store) throws Exception {
    store.deletePrefix(new byte[0]);
    for (int i = 0; i < waiting.size(); i++) {
      Object record = waiting.get(i);
      byte[] key = record instanceof KeyedRecord keyed ? keyed.key() : null;
      byte[] element = CoderUtils.encodeToByteArray(inputCoder, (WindowedValue<Object>) windowed(record));
      ByteBuffer value = ByteBuffer.allocate(4 + (key == null ? 0 : key.length) + element.length);
      value.putInt(key == null ? -1 : key.length);
      if (key != null) {
        value.put(key);
      }
      store.put(ByteBuffer.allocate(8).putInt(context.subtaskIndex()).putInt(i).array(), value.put(element).array());
    }
  }

  private void restoreWaiting(SortedByteStore store) throws Exception {
    waiting.clear();
    waitingHold = Long.MAX_VALUE;
    try (SortedByteStore.Cursor cursor = store.scan(new byte[0])) {
      while (cursor.hasNext()) {
        ByteBuffer value = ByteBuffer.wrap(cursor.next().getValue());
        int keyLength = value.getInt();
        byte[] key = keyLength < 0 ? null : new byte[keyLength];
        if (key != null) {
          value.get(key);
        }
        WindowedValue<Object> element = CoderBytes.decode(inputCoder, value.array(), value.position(), value.remaining());
        waiting.add(key == null ? element : new KeyedRecord(key, element));
        waitingHold = Math.min(waitingHold, element.getTimestamp().getMillis());
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (bundle != null) {
        bundle.close();
      }
    } catch (Exception e) {
      // The job is ending on another failure or a cancel: this one adds nothing.
    } finally {
      bundle = null;
      if (bundles != null) {
        bundles.close();
      }
      if (stageContext != null) {
        StageContexts.releaseByOperator(job);
      }
    }
  }
}
