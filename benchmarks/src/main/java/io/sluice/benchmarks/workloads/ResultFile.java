package io.sluice.benchmarks.workloads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Writes a pipeline's single summary value to a file, so the benchmark can check it after the run
 * whatever the runner (all run in this one JVM, locally).
 */
public final class ResultFile extends DoFn<String, Void> {

  private final String path;

  public ResultFile(Path path) {
    this.path = path.toString();
  }

  @ProcessElement
  public void process(@Element String summary) {
    try {
      Files.writeString(Paths.get(path), summary, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String read(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new IllegalStateException("the pipeline wrote no result to " + path);
    }
    return Files.readString(path, StandardCharsets.UTF_8).trim();
  }

  public static void expect(String what, String expected, Path path) throws IOException {
    String actual = read(path);
    if (!expected.equals(actual)) {
      throw new IllegalStateException(what + ": wrong result: expected " + expected + " but got " + actual);
    }
  }
}
