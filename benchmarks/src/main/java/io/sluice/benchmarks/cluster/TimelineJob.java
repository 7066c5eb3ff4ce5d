package io.sluice.benchmarks.cluster;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * A streaming job that says when it produces output: a rate-limited sequence, a shuffle, and a sink
 * whose every instance writes the clock reading of each element it gets to a file of its own, named
 * after the time the instance was set up. After a worker is killed at time t, the first output of
 * the recovered job is the earliest line in a file of an instance set up after t.
 */
public final class TimelineJob {

  private TimelineJob() {}

  public static Pipeline build(PipelineOptions options, long elements, long perSecond, Path output) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply(GenerateSequence.from(0).to(elements).withRate(perSecond, Duration.standardSeconds(1)))
        .apply(WithKeys.of((Long n) -> n % 16).withKeyType(TypeDescriptors.longs()))
        .apply(Reshuffle.of())
        .apply(ParDo.of(new Timeline(output.toString())));
    return pipeline;
  }

  /**
   * The first output of an instance set up after {@code afterMillis}, or -1 if there is none yet.
   */
  public static long firstOutputAfter(Path output, long afterMillis) throws IOException {
    long first = -1;
    try (Stream<Path> files = Files.list(output)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (Long.parseLong(name.substring(0, name.indexOf('-'))) <= afterMillis) {
          continue;
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (String line : lines) {
          if (!line.isEmpty() && line.endsWith(";")) {
            long at = Long.parseLong(line.substring(0, line.length() - 1));
            first = first < 0 ? at : Math.min(first, at);
          }
        }
      }
    }
    return first;
  }

  static final class Timeline extends DoFn<org.apache.beam.sdk.values.KV<Long, Long>, Void> {
    private final String output;
    private transient BufferedWriter out;

    Timeline(String output) {
      this.output = output;
    }

    @Setup
    public void setup() throws IOException {
      out = Files.newBufferedWriter(Paths.get(output, System.currentTimeMillis() + "-" + UUID.randomUUID()),
          StandardCharsets.UTF_8);
    }

    @ProcessElement
    public void process() {
      try {
        // The ';' tells a whole line from one being written.
        out.write(System.currentTimeMillis() + ";\n");
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Teardown
    public void teardown() throws IOException {
      if (out != null) {
        out.close();
      }
    }
  }
}
