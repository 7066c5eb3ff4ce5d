package io.sluice.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Windowed word count on a stream. GenerateSequence ticks at a fixed rate; tick i becomes the i-th
 * word of the bundled text, stamped with event time i x {@code --eventMillisPerWord}. Words are
 * counted per {@code --windowSeconds} event-time window, with early results each second of
 * processing time and the final count once the watermark passes the end of the window (panes
 * accumulate); each pane's five most frequent words are printed with its timing (EARLY, ON_TIME).
 *
 * <pre>mvn -B -q -pl examples exec:java -Dexec.mainClass=io.sluice.examples.StreamingWordCount -Dexec.args="--runner=SluiceRunner"</pre>
 *
 * With {@code --numWords=-1} it runs until stopped.
 */
public final class StreamingWordCount {

  /** StreamingWordCount's options. */
  public interface Options extends StreamingOptions {
    @Description("Words read per second of processing time.")
    @Default.Long(50_000)
    long getWordsPerSecond();

    void setWordsPerSecond(long wordsPerSecond);

    @Description("How many words to read before the stream ends; -1 for an endless stream.")
    @Default.Long(200_000)
    long getNumWords();

    void setNumWords(long numWords);

    @Description("Event time between two consecutive words, in milliseconds.")
    @Default.Long(1)
    long getEventMillisPerWord();

    void setEventMillisPerWord(long millis);

    @Description("Length of the event-time windows, in seconds.")
    @Default.Long(60)
    long getWindowSeconds();

    void setWindowSeconds(long seconds);
  }

  /** Picks the i-th word of the bundled text, round and round. */
  static final class NthWord extends DoFn<Long, String> {
    private transient List<String> words;

    @Setup
    public void setup() throws IOException {
      try (InputStream in = StreamingWordCount.class.getResourceAsStream("tale-of-two-cities.txt")) {
        if (in == null) {
          throw new IllegalStateException("the bundled text is missing from the classpath");
        }
        words = new ArrayList<>();
        for (String word : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[^\\p{L}']+")) {
          if (!word.isEmpty()) {
            words.add(word.toLowerCase(Locale.ROOT));
          }
        }
      }
    }

    @ProcessElement
    public void process(@Element Long i, OutputReceiver<String> out) {
      out.output(words.get((int) (i % words.size())));
    }
  }

  /**
   * Counts every word of a window in one accumulator and extracts the most frequent. One combine
   * rather than a count per word then a top: with accumulating panes, a top over the per-word
   * panes would see each word once per firing.
   */
  static final class TopWords extends Combine.CombineFn<String, HashMap<String, Long>, List<KV<String, Long>>> {
    private final int size;

    TopWords(int size) {
      this.size = size;
    }

    @Override
    public HashMap<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public HashMap<String, Long> addInput(HashMap<String, Long> counts, String word) {
      counts.merge(word, 1L, Long::sum);
      return counts;
    }

    @Override
    public HashMap<String, Long> mergeAccumulators(Iterable<HashMap<String, Long>> accumulators) {
      HashMap<String, Long> merged = new HashMap<>();
      for (HashMap<String, Long> counts : accumulators) {
        counts.forEach((word, n) -> merged.merge(word, n, Long::sum));
      }
      return merged;
    }

    @Override
    public List<KV<String, Long>> extractOutput(HashMap<String, Long> counts) {
      List<KV<String, Long>> top = new ArrayList<>();
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
          .limit(size)
          .forEach(e -> top.add(KV.of(e.getKey(), e.getValue())));
      return top;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Coder<HashMap<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<String> inputCoder) {
      return (Coder) MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }
  }

  /** Prints one line per pane: window, timing, top words. */
  static final class PrintPane extends DoFn<List<KV<String, Long>>, Void> {
    @ProcessElement
    public void process(@Element List<KV<String, Long>> top, BoundedWindow window, PaneInfo pane) {
      StringBuilder line = new StringBuilder();
      for (KV<String, Long> wordCount : top) {
        line.append(' ').append(wordCount.getKey()).append('=').append(wordCount.getValue());
      }
      System.out.printf("%s %-7s%s%n", window, pane.getTiming(), line);
    }
  }

  private StreamingWordCount() {}

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    options.setStreaming(true);
    long eventMillis = options.getEventMillisPerWord();
    GenerateSequence ticks = GenerateSequence.from(0)
        .withRate(options.getWordsPerSecond(), Duration.standardSeconds(1))
        .withTimestampFn(i -> new Instant(i * eventMillis));
    if (options.getNumWords() >= 0) {
      ticks = ticks.to(options.getNumWords());
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Ticks", ticks)
        .apply("Words", ParDo.of(new NthWord()))
        .apply("Window", Window.<String>into(FixedWindows.of(Duration.standardSeconds(options.getWindowSeconds())))
            .triggering(AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.standardSeconds(1))))
            .withAllowedLateness(Duration.ZERO)
            .accumulatingFiredPanes())
        .apply("Top5", Combine.globally(new TopWords(5)).withoutDefaults())
        .apply("Print", ParDo.of(new PrintPane()));
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    System.out.printf("StreamingWordCount on %s: %d words in %d ms%n", options.getRunner().getSimpleName(),
        options.getNumWords(), (System.nanoTime() - start) / 1_000_000);
  }
}
