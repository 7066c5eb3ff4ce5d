package io.sluice.translation.operators;

import java.io.Closeable;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;

/**
 * Cuts a DoFn's work into bundles: a bundle starts with the first element (never empty), ends
 * after the maximum bundle size or when the input does, and once it has ended successfully its
 * finalization callbacks run. Every call into user code counts towards the step's metrics.
 */
final class DoFnBundles {

  /** Work done inside a bundle. */
  interface BundleWork {
    void run() throws Exception;
  }

  private final DoFnRunner<Object, Object> runner;
  private final MetricsContainerImpl metrics;
  private final InMemoryBundleFinalizer finalizer;
  private final int maxBundleSize;
  private boolean inBundle;
  private int elements;

  DoFnBundles(DoFnRunner<Object, Object> runner, MetricsContainerImpl metrics, InMemoryBundleFinalizer finalizer,
      int maxBundleSize) {
    this.runner = runner;
    this.metrics = metrics;
    this.finalizer = finalizer;
    this.maxBundleSize = maxBundleSize;
  }

  void process(WindowedValue<Object> element) throws Exception {
    inBundle(() -> runner.processElement(element));
    if (++elements >= maxBundleSize) {
      finish();
    }
  }

  /** Runs {@code work} (a timer, a key's end) inside the current bundle, starting one if needed. */
  void inBundle(BundleWork work) throws Exception {
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metrics)) {
      if (!inBundle) {
        inBundle = true;
        elements = 0;
        runner.startBundle();
      }
      work.run();
    }
  }

  /** Ends the current bundle, if any, and runs the finalizations it registered. */
  void finish() throws Exception {
    if (!inBundle) {
      return;
    }
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metrics)) {
      inBundle = false;
      runner.finishBundle();
      Instant now = Instant.now();
      for (InMemoryBundleFinalizer.Finalization f : finalizer.getAndClearFinalizations()) {
        if (!now.isAfter(f.getExpiryTime())) {
          f.getCallback().onBundleSuccess();
        }
      }
    }
  }

  /** Calls user code outside any bundle (setup, teardown) with the step's metrics. */
  void outsideBundle(BundleWork work) throws Exception {
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metrics)) {
      work.run();
    }
  }
}
