package io.sluice.translation.operators.dofn;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.metrics.MetricsContainer;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;

/**
 * One subtask's instance of a user DoFn through its life: setup, work cut into bundles, teardown.
 * A bundle starts with the first element (never empty), ends after the maximum bundle size or when
 * the input does, and once it has ended successfully its finalization callbacks run. Every call
 * into user code counts towards the step's metrics (the container is swapped in and out directly:
 * Beam's scoped helper allocates per call, and this is per element).
 */
public final class DoFnInstance {

  /** Work done inside a bundle. */
  public interface BundleWork {
    void run() throws Exception;
  }

  /**
   * The user's DoFn, and whatever it keeps in its own fields: derived (a fresh copy per subtask, in
   * no store), for the operator's life.
   */
  private final DoFn<Object, Object> fn;
  /** Runs {@link #fn}: derived, made with this instance at open, for the operator's life. */
  private final DoFnRunner<Object, Object> runner;
  /** The step's counters in this subtask: derived (attempted metrics, not checkpointed), open to close. */
  private final MetricsContainerImpl metrics;
  /**
   * Callbacks registered in the current bundle: derived, per bundle, run once it ends successfully,
   * or, when checkpoints decide, once a checkpoint taken after it completes.
   */
  private final InMemoryBundleFinalizer finalizer;
  /** Whether finalizations wait for checkpoints: set at open, for the operator's life. */
  private boolean finalizeOnCheckpoints;
  /** Finalizations of bundles ended since the last barrier: derived (callbacks, lost with the attempt). */
  private List<InMemoryBundleFinalizer.Finalization> sinceBarrier = new ArrayList<>();
  /** Finalizations by the checkpoint whose completion runs them: derived, until it completes. */
  private final TreeMap<Long, List<InMemoryBundleFinalizer.Finalization>> byCheckpoint = new TreeMap<>();
  private final int maxBundleSize;
  /** Set from a successful @Setup until @Teardown, so teardown runs once: derived, for the operator's life. */
  private DoFnInvoker<Object, Object> invoker;
  /** A bundle is open: derived, per bundle. */
  private boolean inBundle;
  /** Elements in the current bundle, against the maximum bundle size: derived, per bundle. */
  private int elements;

  public DoFnInstance(DoFn<Object, Object> fn, DoFnRunner<Object, Object> runner, MetricsContainerImpl metrics,
      InMemoryBundleFinalizer finalizer, int maxBundleSize) {
    this.fn = fn;
    this.runner = runner;
    this.metrics = metrics;
    this.finalizer = finalizer;
    this.maxBundleSize = maxBundleSize;
  }

  public void process(WindowedValue<Object> element) throws Exception {
    inBundle(() -> runner.processElement(element));
    if (++elements >= maxBundleSize) {
      finish();
    }
  }

  /** Runs {@code work} (a timer, a key's end) inside the current bundle, starting one if needed. */
  public void inBundle(BundleWork work) throws Exception {
    MetricsContainer previous = MetricsEnvironment.setCurrentContainer(metrics);
    try {
      if (!inBundle) {
        inBundle = true;
        elements = 0;
        runner.startBundle();
      }
      work.run();
    } finally {
      MetricsEnvironment.setCurrentContainer(previous);
    }
  }

  /** Ends the current bundle, if any, and runs the finalizations it registered. */
  public void finish() throws Exception {
    if (!inBundle) {
      return;
    }
    MetricsContainer previous = MetricsEnvironment.setCurrentContainer(metrics);
    try {
      inBundle = false;
      runner.finishBundle();
      if (finalizeOnCheckpoints) {
        sinceBarrier.addAll(finalizer.getAndClearFinalizations());
      } else {
        runFinalizations(finalizer.getAndClearFinalizations());
      }
    } finally {
      MetricsEnvironment.setCurrentContainer(previous);
    }
  }

  /** From now on a bundle's finalizations run when a checkpoint taken after it completes. */
  public void finalizeOnCheckpoints() {
    finalizeOnCheckpoints = true;
  }

  /** The barrier of {@code checkpointId}: the bundle ends, and what ended so far waits for it. */
  public void barrier(long checkpointId) throws Exception {
    finish();
    if (!sinceBarrier.isEmpty()) {
      byCheckpoint.put(checkpointId, sinceBarrier);
      sinceBarrier = new ArrayList<>();
    }
  }

  /** Checkpoint {@code checkpointId} completed: the bundles it covers are finalized. */
  public void checkpointComplete(long checkpointId) throws Exception {
    while (!byCheckpoint.isEmpty() && byCheckpoint.firstKey() <= checkpointId) {
      runFinalizations(byCheckpoint.pollFirstEntry().getValue());
    }
  }

  /**
   * The input has ended and no checkpoint may follow: the remaining bundles' output is final, so
   * they are finalized now.
   */
  public void finalizeAll() throws Exception {
    finish();
    checkpointComplete(Long.MAX_VALUE);
    runFinalizations(sinceBarrier);
    sinceBarrier = new ArrayList<>();
  }

  private void runFinalizations(List<InMemoryBundleFinalizer.Finalization> finalizations) throws Exception {
    MetricsContainer previous = MetricsEnvironment.setCurrentContainer(metrics);
    try {
      Instant now = Instant.now();
      for (InMemoryBundleFinalizer.Finalization f : finalizations) {
        if (!now.isAfter(f.getExpiryTime())) {
          f.getCallback().onBundleSuccess();
        }
      }
    } finally {
      MetricsEnvironment.setCurrentContainer(previous);
    }
  }

  /** Calls @Setup; if it throws, Beam's helper has already called @Teardown. */
  public void setUp(PipelineOptions options) throws Exception {
    MetricsContainer previous = MetricsEnvironment.setCurrentContainer(metrics);
    try {
      invoker = DoFnInvokers.tryInvokeSetupFor(fn, options);
    } finally {
      MetricsEnvironment.setCurrentContainer(previous);
    }
  }

  /** Calls @Teardown once, if setup succeeded; safe to call after any failure. */
  public void tearDown() throws Exception {
    if (invoker == null) {
      return;
    }
    DoFnInvoker<Object, Object> tearingDown = invoker;
    invoker = null;
    MetricsContainer previous = MetricsEnvironment.setCurrentContainer(metrics);
    try {
      tearingDown.invokeTeardown();
    } finally {
      MetricsEnvironment.setCurrentContainer(previous);
    }
  }
}
