package io.sluice.portability.windowing;

import io.sluice.portability.operators.SdkWindowMerges;
import java.util.Arrays;
import java.util.Collection;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.KV;

/**
 * The runner's stand-in for a merging WindowFn that only its SDK can run (a Python WindowFn,
 * pickled) over windows the runner reads (interval windows, say): the SDK assigns the windows, the
 * runner groups and triggers by them, and asks the SDK how they merge, by Beam's merge-windows
 * transform in a stage of its own ({@link SdkWindowMerges}), once per merge.
 */
public final class SdkMergingWindowFn extends WindowFn<Object, BoundedWindow> {

  private static final long serialVersionUID = 1L;

  /** The SDK's WindowFn as the pipeline gives it: two stand-ins are compatible when these are equal. */
  private final byte[] spec;
  private final Coder<BoundedWindow> windowCoder;
  private final JobInfo job;
  /** The stage that merges: Beam's ExecutableStagePayload, built by {@link SdkWindows#mergeStage}. */
  private final byte[] mergeStage;

  SdkMergingWindowFn(byte[] spec, Coder<BoundedWindow> windowCoder, JobInfo job, byte[] mergeStage) {
    this.spec = spec.clone();
    this.windowCoder = windowCoder;
    this.job = job;
    this.mergeStage = mergeStage.clone();
  }

  @Override
  public Collection<BoundedWindow> assignWindows(AssignContext c) {
    throw new UnsupportedOperationException("windows of an SDK's own WindowFn are assigned in the SDK harness");
  }

  @Override
  public void mergeWindows(MergeContext c) throws Exception {
    for (KV<BoundedWindow, Collection<BoundedWindow>> merge : SdkWindowMerges.merge(job, mergeStage, c.windows())) {
      c.merge(merge.getValue(), merge.getKey());
    }
  }

  @Override
  public boolean isCompatible(WindowFn<?, ?> other) {
    return equals(other);
  }

  @Override
  public Coder<BoundedWindow> windowCoder() {
    return windowCoder;
  }

  @Override
  public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
    throw new UnsupportedOperationException("side inputs cannot be windowed by a merging WindowFn");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SdkMergingWindowFn fn && Arrays.equals(fn.spec, spec);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(spec);
  }
}
