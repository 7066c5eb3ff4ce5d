package io.sluice.portability.operators;

import io.sluice.execution.state.ByteKey;
import io.sluice.translation.operators.timely.TimelyKeyState;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.runners.fnexecution.translation.PipelineTranslatorUtils;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The runner's side of a keyed stage's timers: the timers the harness set in a bundle, applied to
 * the timer queue once it has closed; the window-expiry timers the runner sets for DoFns that ask
 * for them; time-sorted input, buffered in the key's state and released in timestamp order as the
 * watermark passes (runners-core's {@link StatefulDoFnRunner}, which also drops what comes too late
 * for it); and the batches of due timers and released input that go to the harness in bundles of
 * their own.
 *
 * <p>Everything here touches the keyed stores and the current key, which the harness's state
 * requests also use while a bundle is open: the operator calls in only between bundles.
 */
final class StageTimers {

  /** A due timer on its way to the harness, under its family. */
  record Due(Timer<?> timer, KV<String, String> family) {}

  /** What one bundle takes to the harness: released time-sorted input, then due timers; no key twice. */
  record Batch(List<WindowedValue<Object>> elements, List<Due> timers) {
    boolean isEmpty() {
      return elements.isEmpty() && timers.isEmpty();
    }
  }

  private static final String SORT_FLUSH = "__StatefulParDoSortFlushTimerId";

  // Fixed at construction.
  private final TimelyKeyState keyState;
  private final Coder<Object> keyCoder;
  private final Coder<BoundedWindow> windowCoder;
  /**
   * Timer families (as the timer queue names them) of the stage's DoFns that ask to hear of a
   * window's expiry; the runner sets those timers, one per key and window the DoFn saw, at the
   * window's garbage-collection time under the input's allowed lateness.
   */
  private final List<String> expiryFamilies = new ArrayList<>();
  private final Duration allowedLateness;
  /** Buffers and releases input of a DoFn that requires it time-sorted; null otherwise. */
  private final StatefulDoFnRunner<Object, Object, BoundedWindow> sortedInput;
  private final CoderBytes keyBytes = new CoderBytes();

  // Derived, for one bundle: cleared once applied after it closed.
  /**
   * What to add to a processing-time timer the harness set to have it on the subtask's clock: the
   * harness sets them from its own wall clock (Beam's harnesses have no other), while a job whose
   * TestStream moves processing time keeps that time in band. Zero on the wall clock.
   */
  private long harnessClockShift;
  /** Timers the harness set or cleared in the open bundle. */
  private final List<Timer<?>> timersSet = new ArrayList<>();
  private final List<TimerInternals.TimerData> timerData = new ArrayList<>();
  /** Keys and windows of the bundle's input whose expiry timers are still to set. */
  private final List<KeyedRecord> expiriesSeen = new ArrayList<>();
  /** Input the sort buffer released while a batch is put together. */
  private final List<WindowedValue<Object>> released = new ArrayList<>();

  @SuppressWarnings("unchecked")
  StageTimers(ExecutableStage stage, TimelyKeyState keyState, Coder<Object> keyCoder,
      Coder<BoundedWindow> windowCoder, Coder<Object> elementCoder) throws Exception {
    this.keyState = keyState;
    this.keyCoder = keyCoder;
    this.windowCoder = windowCoder;
    boolean sorted = false;
    for (PipelineNode.PTransformNode transform : stage.getTransforms()) {
      if (PTransformTranslation.PAR_DO_TRANSFORM_URN.equals(transform.getTransform().getSpec().getUrn())) {
        RunnerApi.ParDoPayload parDo = RunnerApi.ParDoPayload.parseFrom(transform.getTransform().getSpec().getPayload());
        if (!parDo.getOnWindowExpirationTimerFamilySpec().isEmpty()) {
          expiryFamilies.add(TimerReceiverFactory.encodeToTimerDataTimerId(transform.getId(),
              parDo.getOnWindowExpirationTimerFamilySpec()));
        }
        sorted |= parDo.getRequiresTimeSortedInput();
      }
    }
    WindowingStrategy<?, ?> windowing = PipelineTranslatorUtils.getWindowingStrategy(
        stage.getInputPCollection().getId(), stage.getComponents());
    allowedLateness = windowing.getAllowedLateness();
    sortedInput = sorted ? new StatefulDoFnRunner<>(new Release(), elementCoder, keyState, windowing,
        new NoCleanupTimer(), window -> {}, true) : null;
  }

  boolean sortsInput() {
    return sortedInput != null;
  }

  /** Takes an element of a stage whose DoFn requires time-sorted input into its key's sort buffer. */
  @SuppressWarnings("unchecked")
  void sort(KeyedRecord record) {
    keyState.setKey(record.key(), null);
    sortedInput.processElement((WindowedValue<Object>) record.value());
  }

  /** Notes an element of the open bundle, whose windows may need expiry timers. */
  void seen(KeyedRecord record) {
    if (!expiryFamilies.isEmpty()) {
      expiriesSeen.add(record);
    }
  }

  /** A bundle opens, the subtask's clock {@code harnessClockShift} ms ahead of the harness's. */
  void bundleOpened(long harnessClockShift) {
    this.harnessClockShift = harnessClockShift;
  }

  /** Notes a timer the harness set or cleared in the open bundle. */
  void harnessSet(Timer<?> timer, TimerInternals.TimerData data) {
    timersSet.add(timer);
    timerData.add(data.getDomain() == TimeDomain.PROCESSING_TIME && harnessClockShift != 0
        ? TimerInternals.TimerData.of(data.getTimerId(), data.getTimerFamilyId(), data.getNamespace(),
            data.getTimestamp().plus(Duration.millis(harnessClockShift)), data.getOutputTimestamp(),
            data.getDomain())
        : data);
  }

  /** Applies what the closed bundle set: the harness's timers, then expiry timers of what it saw. */
  void bundleClosed() throws CoderException {
    for (int i = 0; i < timersSet.size(); i++) {
      Timer<?> timer = timersSet.get(i);
      keyState.setKey(keyBytes.encode(keyCoder, timer.getUserKey()), timer.getUserKey());
      if (timer.getClearBit()) {
        keyState.timerInternals().deleteTimer(timerData.get(i));
      } else {
        keyState.timerInternals().setTimer(timerData.get(i));
      }
    }
    timersSet.clear();
    timerData.clear();
    for (KeyedRecord seen : expiriesSeen) {
      keyState.setKey(seen.key(), null);
      for (BoundedWindow window : seen.value().getWindows()) {
        StateNamespace namespace = StateNamespaces.window(windowCoder, window);
        Instant expiry = LateDataUtils.garbageCollectionTime(window, allowedLateness);
        for (String family : expiryFamilies) {
          // Set again for every element; the timer queue skips what is already set as asked.
          keyState.timerInternals().setTimer(TimerInternals.TimerData.of("", family, namespace, expiry,
              window.maxTimestamp(), TimeDomain.EVENT_TIME));
        }
      }
    }
    expiriesSeen.clear();
  }

  /**
   * Takes the next bundle's worth of what is due in {@code domain} at {@code upTo}, at most
   * {@code max} timers: input the sort buffer releases, and timers for the harness. A key comes at
   * most once a batch, so that each of its timers sees what the one before it did to its state (a
   * harness need not run one bundle's timers in the order sent); its next timer goes back into the
   * queue, to fire in the next batch unless the harness sets it anew meanwhile.
   */
  Batch nextDue(int domain, long upTo, int max) throws CoderException {
    List<Due> due = new ArrayList<>();
    Set<ByteKey> keys = new HashSet<>();
    TimerInternals.TimerData data;
    while (due.size() + released.size() < max && (data = keyState.pollDue(domain, upTo)) != null) {
      Object key = keyState.key();
      if (!keys.add(new ByteKey(keyBytes.encode(keyCoder, key)))) {
        keyState.timerInternals().setTimer(data);
        break;
      }
      BoundedWindow window = ((StateNamespaces.WindowNamespace<?>) data.getNamespace()).getWindow();
      if (sortedInput != null && isSortFlush(data)) {
        // Releases the key's buffered input up to the watermark into `released`, in timestamp order.
        sortedInput.onTimer(data.getTimerId(), data.getTimerFamilyId(), key, window, data.getTimestamp(),
            data.getOutputTimestamp(), data.getDomain());
      } else {
        due.add(new Due(Timer.of(key, data.getTimerId(), List.of(window), data.getTimestamp(),
            data.getOutputTimestamp(), PaneInfo.NO_FIRING),
            TimerReceiverFactory.decodeTimerDataTimerId(data.getTimerFamilyId())));
      }
    }
    Batch batch = new Batch(List.copyOf(released), due);
    released.clear();
    return batch;
  }

  /** The sort buffer's own timer (runners-core names it so); the harness's families name a transform. */
  private static boolean isSortFlush(TimerInternals.TimerData data) {
    return SORT_FLUSH.equals(data.getTimerFamilyId());
  }

  /** Where the sort buffer's released input goes: into the batch being put together. */
  private final class Release implements DoFnRunner<Object, Object> {
    @Override
    public void startBundle() {}

    @Override
    public void processElement(WindowedValue<Object> element) {
      released.add(element);
    }

    @Override
    public <KeyT> void onTimer(String timerId, String timerFamilyId, KeyT key, BoundedWindow window,
        Instant timestamp, Instant outputTimestamp, TimeDomain timeDomain) {
      throw new IllegalStateException("the harness's timers do not go through the sort buffer");
    }

    @Override
    public void finishBundle() {}

    @Override
    public <KeyT> void onWindowExpiration(BoundedWindow window, Instant timestamp, KeyT key) {}

    @Override
    public DoFn<Object, Object> getFn() {
      throw new UnsupportedOperationException("the DoFn runs in the SDK harness");
    }
  }

  /** The stage's state lives as long as its keys (expiry timers are the runner's own, above). */
  private static final class NoCleanupTimer implements StatefulDoFnRunner.CleanupTimer<Object> {
    @Override
    public void setForWindow(Object value, BoundedWindow window) {}

    @Override
    public boolean isForWindow(String timerId, BoundedWindow window, Instant timestamp, TimeDomain timeDomain) {
      return false;
    }
  }
}
