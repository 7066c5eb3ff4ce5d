package io.sluice.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/** A benchmark main's options, as --name=value, and the directories every one of them writes to. */
final class BenchOptions {

  private final Map<String, String> values = new HashMap<>();
  final Path out;
  final Path data;
  final Path logs;

  BenchOptions(String[] args) throws IOException {
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, got " + arg);
      }
      values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    out = Paths.get(get("out", "benchmarks/results"));
    data = Paths.get(get("data", "benchmarks/target/bench-data"));
    logs = Paths.get(get("logs", "benchmarks/target/bench-logs"));
    Files.createDirectories(out);
    Files.createDirectories(data);
    Files.createDirectories(logs);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int reps() {
    return Integer.parseInt(get("reps", "3"));
  }

  int warmup() {
    return Integer.parseInt(get("warmup", "1"));
  }

  String heap(String fallback) {
    return get("heap", fallback);
  }

  long timeoutSeconds() {
    return Long.parseLong(get("timeoutSeconds", "900"));
  }

  Map<String, String> asMap() {
    return values;
  }
}
