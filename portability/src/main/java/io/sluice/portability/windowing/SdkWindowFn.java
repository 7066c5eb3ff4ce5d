package io.sluice.portability.windowing;

import java.util.Arrays;
import java.util.Collection;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;

/**
 * The runner's stand-in for a non-merging WindowFn that only its SDK can run (a Python WindowFn,
 * pickled): the SDK assigns the windows, and the runner groups, triggers and expires by
 * {@link SdkWindow}s, which is all a non-merging WindowFn leaves to a runner.
 */
public final class SdkWindowFn extends NonMergingWindowFn<Object, SdkWindow> {

  private static final long serialVersionUID = 1L;

  /** The SDK's WindowFn as the pipeline gives it: two stand-ins are compatible when these are equal. */
  private final byte[] spec;

  public SdkWindowFn(byte[] spec) {
    this.spec = spec.clone();
  }

  @Override
  public Collection<SdkWindow> assignWindows(AssignContext c) {
    throw new UnsupportedOperationException("windows of an SDK's own WindowFn are assigned in the SDK harness");
  }

  @Override
  public boolean isCompatible(WindowFn<?, ?> other) {
    return other instanceof SdkWindowFn fn && Arrays.equals(fn.spec, spec);
  }

  @Override
  public SdkWindow.Coder windowCoder() {
    return SdkWindow.Coder.of();
  }

  @Override
  public WindowMappingFn<SdkWindow> getDefaultWindowMappingFn() {
    throw new UnsupportedOperationException("side input windows of an SDK's own WindowFn are mapped in the SDK harness");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SdkWindowFn fn && Arrays.equals(fn.spec, spec);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(spec);
  }
}
