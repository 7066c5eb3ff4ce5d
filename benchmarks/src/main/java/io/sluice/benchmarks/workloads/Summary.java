package io.sluice.benchmarks.workloads;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Adds up vectors of longs element-wise (wrapping on overflow, as the expectations do) and prints
 * the total as "a,b,c": one line that says whether a whole run computed the right thing.
 */
public final class Summary extends Combine.CombineFn<List<Long>, List<Long>, String> {

  private final int width;

  public Summary(int width) {
    this.width = width;
  }

  /**
   * Into the global window, to fire once when the stream has ended: an unbounded input needs a
   * trigger there, and one inherited from an earlier windowing (early firings) would fire early.
   */
  public static <T> org.apache.beam.sdk.transforms.windowing.Window<T> atTheEnd() {
    return org.apache.beam.sdk.transforms.windowing.Window.<T>into(
            new org.apache.beam.sdk.transforms.windowing.GlobalWindows())
        .triggering(org.apache.beam.sdk.transforms.windowing.Repeatedly.forever(
            org.apache.beam.sdk.transforms.windowing.AfterWatermark.pastEndOfWindow()))
        .withAllowedLateness(org.joda.time.Duration.ZERO)
        .discardingFiredPanes();
  }

  public static String format(long... values) {
    List<String> parts = new ArrayList<>();
    for (long v : values) {
      parts.add(Long.toString(v));
    }
    return String.join(",", parts);
  }

  /** Adds {@code part} element-wise into {@code total}: the plain-Java floor's own summing. */
  static void addInto(long[] total, List<Long> part) {
    for (int i = 0; i < total.length; i++) {
      total[i] += part.get(i);
    }
  }

  @Override
  public List<Long> createAccumulator() {
    List<Long> zeros = new ArrayList<>(width);
    for (int i = 0; i < width; i++) {
      zeros.add(0L);
    }
    return zeros;
  }

  @Override
  public List<Long> addInput(List<Long> accumulator, List<Long> input) {
    for (int i = 0; i < width; i++) {
      accumulator.set(i, accumulator.get(i) + input.get(i));
    }
    return accumulator;
  }

  @Override
  public List<Long> mergeAccumulators(Iterable<List<Long>> accumulators) {
    List<Long> merged = createAccumulator();
    for (List<Long> a : accumulators) {
      addInput(merged, a);
    }
    return merged;
  }

  @Override
  public String extractOutput(List<Long> accumulator) {
    return accumulator.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  @Override
  public Coder<List<Long>> getAccumulatorCoder(CoderRegistry registry, Coder<List<Long>> inputCoder) {
    return ListCoder.of(VarLongCoder.of());
  }
}
