package io.sluice.benchmarks.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;

/** Three elements through Create and a Map: what start-up and teardown cost. */
public final class TinyWorkload implements Workload {

  @Override
  public String name() {
    return "tiny";
  }

  @Override
  public long records(long size) {
    return 3;
  }

  static final class Describe extends SimpleFunction<Integer, String> {
    @Override
    public String apply(Integer x) {
      return "value " + (x * 2);
    }
  }

  /** Writes each element to a file of its own: the three results, whichever subtasks wrote them. */
  static final class WriteEach extends org.apache.beam.sdk.transforms.DoFn<String, Void> {
    private final String directory;

    WriteEach(Path directory) {
      this.directory = directory.toString();
    }

    @ProcessElement
    public void process(@Element String value) throws java.io.IOException {
      Files.writeString(java.nio.file.Paths.get(directory, "result-" + value.replace(' ', '-')), value);
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline
        .apply(Create.of(1, 2, 3))
        .apply("Map", MapElements.via(new Describe()))
        .apply(ParDo.of(new WriteEach(out)));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    for (int x = 1; x <= 3; x++) {
      Files.writeString(out.resolve("result-" + x), "value " + (x * 2));
    }
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    java.util.List<String> results = new java.util.ArrayList<>();
    try (var files = Files.list(out)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().startsWith("result-")) {
          results.add(ResultFile.read(p));
        }
      }
    }
    java.util.Collections.sort(results);
    if (!results.equals(java.util.List.of("value 2", "value 4", "value 6"))) {
      throw new IllegalStateException("tiny: wrong result " + results);
    }
  }
}
