package io.sluice.benchmarks.workloads;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * WordCount over {@code size} bytes of generated text (a 20,000-word vocabulary drawn with a skew,
 * 12 words a line): TextIO in, TextIO out. The generator records the true counts beside the text.
 */
public final class WordCountWorkload implements Workload {

  static final int VOCABULARY = 20_000;
  static final int WORDS_PER_LINE = 12;

  @Override
  public String name() {
    return "wordcount";
  }

  @Override
  public long records(long size) {
    // Lines average about 12 words of about 5 letters.
    return size / 66;
  }

  private static Path text(long size, Path data) {
    return data.resolve("words-" + size + ".txt");
  }

  private static Path truth(long size, Path data) {
    return data.resolve("words-" + size + ".expected");
  }

  static String word(int index) {
    StringBuilder sb = new StringBuilder();
    int n = index;
    do {
      sb.append((char) ('a' + n % 26));
      n /= 26;
    } while (n > 0);
    return sb.append('w').toString();
  }

  @Override
  public void prepare(long size, Path data) throws Exception {
    if (Files.exists(truth(size, data))) {
      return;
    }
    Files.createDirectories(data);
    long[] counts = new long[VOCABULARY];
    String[] words = new String[VOCABULARY];
    for (int i = 0; i < VOCABULARY; i++) {
      words[i] = word(i);
    }
    Random random = new Random(42);
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(text(size, data), StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      while (written < size) {
        line.setLength(0);
        for (int j = 0; j < WORDS_PER_LINE; j++) {
          double u = random.nextDouble();
          int index = (int) (VOCABULARY * u * u * u);
          counts[index]++;
          if (j > 0) {
            line.append(' ');
          }
          line.append(words[index]);
        }
        line.append('\n');
        w.write(line.toString());
        written += line.length();
      }
    }
    Files.writeString(truth(size, data), summarize(words, counts));
  }

  /** "distinct,total,checksum" of a word count. */
  private static String summarize(String[] words, long[] counts) {
    long distinct = 0;
    long total = 0;
    long checksum = 0;
    for (int i = 0; i < words.length; i++) {
      if (counts[i] > 0) {
        distinct++;
        total += counts[i];
        checksum += (long) words[i].hashCode() * counts[i];
      }
    }
    return Summary.format(distinct, total, checksum);
  }

  static final class Format extends org.apache.beam.sdk.transforms.SimpleFunction<KV<String, Long>, String> {
    @Override
    public String apply(KV<String, Long> count) {
      return count.getKey() + ": " + count.getValue();
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline
        .apply("Read", TextIO.read().from(text(size, data).toString()))
        .apply("Split", FlatMapElements.into(TypeDescriptors.strings()).via((String line) -> Arrays.asList(line.split(" "))))
        .apply(Count.perElement())
        .apply("Format", MapElements.via(new Format()))
        .apply("Write", TextIO.write().to(out.resolve("counts").toString()));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    byte[] bytes = Files.readAllBytes(text(size, data));
    int middle = bytes.length / 2;
    while (middle < bytes.length && bytes[middle] != '\n') {
      middle++;
    }
    int split = Math.min(bytes.length, middle + 1);
    List<Map<String, Long>> parts = TwoThreads.run(t -> () -> {
      String half = t == 0
          ? new String(bytes, 0, split, StandardCharsets.UTF_8)
          : new String(bytes, split, bytes.length - split, StandardCharsets.UTF_8);
      Map<String, Long> counts = new HashMap<>();
      int start = 0;
      for (int i = 0; i <= half.length(); i++) {
        if (i == half.length() || half.charAt(i) == ' ' || half.charAt(i) == '\n') {
          if (i > start) {
            counts.merge(half.substring(start, i), 1L, Long::sum);
          }
          start = i + 1;
        }
      }
      return counts;
    });
    Map<String, Long> merged = new HashMap<>(parts.get(0));
    parts.get(1).forEach((k, v) -> merged.merge(k, v, Long::sum));
    List<Map.Entry<String, Long>> entries = new ArrayList<>(merged.entrySet());
    TwoThreads.run(t -> () -> {
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve("counts-0000" + t + "-of-00002"))) {
        for (int i = t; i < entries.size(); i += 2) {
          w.write(entries.get(i).getKey() + ": " + entries.get(i).getValue() + "\n");
        }
      }
      return null;
    });
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    Map<String, Long> counted = new HashMap<>();
    try (var files = Files.list(out)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().startsWith("counts")) {
          continue;
        }
        try (BufferedReader r = Files.newBufferedReader(p)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            int colon = line.lastIndexOf(": ");
            if (counted.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2))) != null) {
              throw new IllegalStateException("wordcount: word counted twice: " + line);
            }
          }
        }
      }
    }
    long distinct = counted.size();
    long total = 0;
    long checksum = 0;
    for (Map.Entry<String, Long> e : counted.entrySet()) {
      total += e.getValue();
      checksum += (long) e.getKey().hashCode() * e.getValue();
    }
    String expected = Files.readString(truth(size, data)).trim();
    String actual = Summary.format(distinct, total, checksum);
    if (!expected.equals(actual)) {
      throw new IllegalStateException("wordcount: wrong result: expected " + expected + " but got " + actual);
    }
  }
}
