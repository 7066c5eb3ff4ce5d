package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GroupByKey over several times more data than the heap: {@link LargeGroupByKeyJob} runs in a
 * forked JVM with {@code -Xmx256m} and a 16 MiB operator budget, so it can only finish if the
 * grouping spills to disk. Its totals are checked against closed forms.
 */
class SpillTest {

  private static final long RECORDS = 10_000_000L;
  private static final long KEYS = 100_000L;
  private static final int VALUE_BYTES = 128;
  private static final int HEAP_MB = 256;
  private static final long TIMEOUT_MINUTES = 10;

  @Test
  @Tag("spill")
  void groupByKeyOverMoreDataThanTheHeapSpillsAndCompletes(@TempDir Path work) throws Exception {
    runLargeGroupByKey(work, KEYS);
  }

  /**
   * Skewed data: one key holds every value, five times the heap. Its values reach the DoFn as an
   * iterable read back from disk, which the job iterates twice.
   */
  @Test
  @Tag("spill")
  void oneKeyWithMoreValuesThanTheHeapIsGroupedAndIterableTwice(@TempDir Path work) throws Exception {
    runLargeGroupByKey(work, 1);
  }

  private void runLargeGroupByKey(Path work, long keys) throws Exception {
    assertTrue(RECORDS * VALUE_BYTES > 4L * HEAP_MB * 1024 * 1024, "the value bytes must dwarf the heap");
    Path spill = Files.createDirectory(work.resolve("spill"));
    Path stdout = work.resolve("job.out");
    Path stderr = work.resolve("job.err");

    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + HEAP_MB + "m",
        "-XX:+ExitOnOutOfMemoryError",
        "-cp", testClasspath(),
        LargeGroupByKeyJob.class.getName(),
        "--runner=SluiceRunner",
        "--parallelism=2",
        "--operatorMemoryMb=16",
        "--spillDirectory=" + spill,
        "--records=" + RECORDS,
        "--keys=" + keys,
        "--valueBytes=" + VALUE_BYTES));
    Process process = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();

    // Watch the spill directory while the job runs: the job's subdirectory must appear and fill.
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong peakSpillBytes = new AtomicLong();
    Set<String> jobDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread watcher = new Thread(() -> {
      while (!done.get()) {
        try (Stream<Path> top = Files.list(spill)) {
          top.forEach(p -> jobDirectories.add(p.getFileName().toString()));
        } catch (IOException | UncheckedIOException e) {
          // raced with the job's own cleanup
        }
        peakSpillBytes.accumulateAndGet(sizeOf(spill), Math::max);
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "spill-watcher");
    watcher.setDaemon(true);
    watcher.start();

    long start = System.nanoTime();
    boolean exited = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    done.set(true);
    watcher.join(10_000);
    if (!exited) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fail("the job did not end within " + TIMEOUT_MINUTES + " minutes\n" + tail(stderr));
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(),
        "exit code (3 = OutOfMemoryError) after " + seconds + " s\nstdout:\n" + out + "\nstderr:\n" + tail(stderr));
    System.out.println("LargeGroupByKeyJob (" + keys + " keys) took " + seconds + " s; peak spill " + (peakSpillBytes.get() >> 20)
        + " MiB in " + jobDirectories);

    List<String> totals = out.lines().filter(l -> l.startsWith(LargeGroupByKeyJob.PREFIX)).collect(Collectors.toList());
    assertEquals(1, totals.size(), "exactly one totals line:\n" + out);
    assertEquals(LargeGroupByKeyJob.PREFIX + expectedTotals(RECORDS, keys), totals.get(0));
    assertTrue(out.contains("STATE DONE"), out);

    assertEquals(1, jobDirectories.size(), "one job directory under the spill directory: " + jobDirectories);
    assertTrue(jobDirectories.iterator().next().startsWith("sluice-"), jobDirectories.toString());
    assertTrue(peakSpillBytes.get() > (long) HEAP_MB << 20,
        "the job spilled only " + peakSpillBytes.get() + " bytes; it cannot have held the rest in its heap");
    try (Stream<Path> left = Files.list(spill)) {
      assertEquals(List.of(), left.collect(Collectors.toList()), "the job's directory must be removed when it ends");
    }
  }

  /** The closed-form expectation must agree with brute force (cheap, so not tagged). */
  @Test
  void closedFormMatchesBruteForce() {
    long[][] cases = {{1, 1}, {10, 1}, {10, 3}, {10, 10}, {100, 7}, {1000, 1000}, {12_345, 100}, {100_000, 999}};
    for (long[] c : cases) {
      long n = c[0];
      long k = c[1];
      long sum = 0;
      long weighted = 0;
      long[] perKey = new long[(int) k];
      for (long i = 0; i < n; i++) {
        sum += i;
        weighted += (i % k + 1) * i;
        perKey[(int) (i % k)]++;
      }
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      long keys = 0;
      for (long count : perKey) {
        if (count > 0) {
          keys++;
          min = Math.min(min, count);
          max = Math.max(max, count);
        }
      }
      String brute = "keys=" + keys + " records=" + n + " sum=" + sum + " weighted=" + weighted + " minPerKey=" + min
          + " maxPerKey=" + max + " corrupt=0 misplaced=0";
      assertEquals(brute, expectedTotals(n, k), "n=" + n + " k=" + k);
    }
    // The values are what the job's checker accepts, and a flipped byte is caught.
    byte[] v = LargeGroupByKeyJob.value(123_456_789L, VALUE_BYTES);
    assertEquals(123_456_789L, LargeGroupByKeyJob.check(v, VALUE_BYTES));
    v[VALUE_BYTES - 1] ^= 1;
    assertEquals(-1L, LargeGroupByKeyJob.check(v, VALUE_BYTES));
  }

  /**
   * What {@link LargeGroupByKeyJob} prints for {@code n} records over {@code k} keys, {@code n >= k}:
   * sums in closed form, reduced to 64 bits as the job's wrapping long arithmetic does.
   */
  static String expectedTotals(long n, long k) {
    if (n < k) {
      throw new IllegalArgumentException("n >= k expected");
    }
    BigInteger bn = BigInteger.valueOf(n);
    BigInteger bk = BigInteger.valueOf(k);
    long q = n / k;
    long r = n % k;
    BigInteger bq = BigInteger.valueOf(q);
    BigInteger br = BigInteger.valueOf(r);
    BigInteger sum = triangle(bn);
    // i = a*k + b with key b: sum over full blocks a < q of (b + 1)(a k + b), then the partial block a = q, b < r.
    BigInteger full = bk.multiply(triangle(bk.add(BigInteger.ONE))).multiply(triangle(bq))
        .add(bq.multiply(sumOfSquares(bk).add(triangle(bk))));
    BigInteger partial = bq.multiply(bk).multiply(triangle(br.add(BigInteger.ONE)))
        .add(sumOfSquares(br).add(triangle(br)));
    BigInteger weighted = full.add(partial);
    return "keys=" + k + " records=" + n + " sum=" + sum.longValue() + " weighted=" + weighted.longValue()
        + " minPerKey=" + q + " maxPerKey=" + (r == 0 ? q : q + 1) + " corrupt=0 misplaced=0";
  }

  /** 0 + 1 + ... + (m - 1). */
  private static BigInteger triangle(BigInteger m) {
    return m.multiply(m.subtract(BigInteger.ONE)).shiftRight(1);
  }

  /** 0^2 + 1^2 + ... + (m - 1)^2. */
  private static BigInteger sumOfSquares(BigInteger m) {
    return m.subtract(BigInteger.ONE).multiply(m).multiply(m.shiftLeft(1).subtract(BigInteger.ONE))
        .divide(BigInteger.valueOf(6));
  }

  private static long sizeOf(Path dir) {
    AtomicLong bytes = new AtomicLong();
    try (Stream<Path> all = Files.walk(dir)) {
      all.forEach(p -> {
        try {
          if (Files.isRegularFile(p)) {
            bytes.addAndGet(Files.size(p));
          }
        } catch (NoSuchFileException e) {
          // deleted meanwhile
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // raced with a deletion: report what was counted
    }
    return bytes.get();
  }

  /**
   * This JVM's classpath, for the child: java.class.path, plus what URL class loaders add (the JUnit
   * console launcher puts test classes on a class loader of its own, not on java.class.path).
   */
  private static String testClasspath() throws URISyntaxException {
    Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
    List<ClassLoader> loaders = List.of(SpillTest.class.getClassLoader(), Thread.currentThread().getContextClassLoader());
    for (ClassLoader start : loaders) {
      List<URL[]> found = new ArrayList<>();
      for (ClassLoader l = start; l != null; l = l.getParent()) {
        if (l instanceof URLClassLoader) {
          found.add(((URLClassLoader) l).getURLs());
        }
      }
      for (int i = found.size() - 1; i >= 0; i--) { // parents first
        for (URL url : found.get(i)) {
          if ("file".equals(url.getProtocol())) {
            entries.add(Paths.get(url.toURI()).toString());
          }
        }
      }
    }
    entries.remove("");
    return String.join(File.pathSeparator, entries);
  }

  private static String tail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
