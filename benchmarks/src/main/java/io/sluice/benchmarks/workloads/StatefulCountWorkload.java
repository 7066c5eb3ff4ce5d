package io.sluice.benchmarks.workloads;

import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A stateful ParDo: record i has key i % 10,000 and timestamp i ms, in fixed 100 s windows (10
 * records per key and window); per key and window a ValueState counts and an event-time timer at
 * the window's end emits the count. The source's watermark follows the timestamps, so windows
 * fire as the stream goes.
 */
public final class StatefulCountWorkload implements Workload {

  static final int KEYS = 10_000;
  static final long WINDOW_MILLIS = 100_000;

  @Override
  public String name() {
    return "streaming-stateful-count";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static final class Keyed extends DoFn<Long, KV<Long, Long>> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, Long>> out) {
      out.output(KV.of(i % KEYS, i));
    }
  }

  static final class CountWithTimer extends DoFn<KV<Long, Long>, List<Long>> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("key")
    private final StateSpec<ValueState<Long>> keySpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(@Element KV<Long, Long> element, BoundedWindow window,
        @StateId("count") ValueState<Long> count, @StateId("key") ValueState<Long> key,
        @TimerId("end") Timer end) {
      Long before = count.read();
      if (before == null) {
        key.write(element.getKey());
        end.set(window.maxTimestamp());
      }
      count.write(before == null ? 1 : before + 1);
    }

    @OnTimer("end")
    public void onEnd(BoundedWindow window, @StateId("count") ValueState<Long> count,
        @StateId("key") ValueState<Long> key, OutputReceiver<List<Long>> out) {
      long number = ((IntervalWindow) window).start().getMillis() / WINDOW_MILLIS;
      out.output(WindowedCountWorkload.summarize(key.read(), number, count.read()));
      count.clear();
      key.clear();
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    pipeline
        .apply(org.apache.beam.sdk.io.Read.from(new TimedSequence(size, Instant::new, 0)))
        .apply("Key", ParDo.of(new Keyed()))
        .apply(Window.into(FixedWindows.of(Duration.millis(WINDOW_MILLIS))))
        .apply("CountWithTimer", ParDo.of(new CountWithTimer()))
        .apply("Global", Summary.atTheEnd())
        .apply(Combine.globally(new Summary(3)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    WindowedCountWorkload.countPlainJava(size, KEYS, WINDOW_MILLIS, out);
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    ResultFile.expect(name(), WindowedCountWorkload.expectedCount(size, KEYS, WINDOW_MILLIS), out.resolve("result"));
  }
}
