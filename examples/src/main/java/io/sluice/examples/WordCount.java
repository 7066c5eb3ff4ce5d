package io.sluice.examples;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Counts the words of a text: TextIO in, TextIO out. Without --inputFile it reads a bundled
 * excerpt of A Tale of Two Cities.
 *
 * <pre>mvn -pl examples -am package -DskipTests exec:java -Dexec.args="--runner=SluiceRunner"</pre>
 */
public final class WordCount {

  /** WordCount's options. */
  public interface Options extends PipelineOptions {
    @Description("The text to count words in; defaults to the bundled excerpt.")
    String getInputFile();

    void setInputFile(String inputFile);

    @Description("Prefix of the output files.")
    @Default.String("target/wordcount/counts")
    String getOutput();

    void setOutput(String output);
  }

  /** Splits lines into words, counting them. */
  static final class ExtractWords extends DoFn<String, String> {
    private final Counter words = Metrics.counter(WordCount.class, "words");

    @ProcessElement
    public void processElement(@Element String line, OutputReceiver<String> out) {
      for (String word : line.split("[^\\p{L}']+")) {
        if (!word.isEmpty()) {
          words.inc();
          out.output(word.toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
  }

  private WordCount() {}

  public static void main(String[] args) throws Exception {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    if (options.getInputFile() == null) {
      options.setInputFile(bundledText().toString());
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadLines", TextIO.read().from(options.getInputFile()))
        .apply("ExtractWords", ParDo.of(new ExtractWords()))
        .apply("CountWords", Count.perElement())
        .apply("Format", MapElements.into(TypeDescriptors.strings())
            .via((KV<String, Long> wordCount) -> wordCount.getKey() + ": " + wordCount.getValue()))
        .apply("WriteCounts", TextIO.write().to(options.getOutput()));
    long start = System.nanoTime();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    long millis = (System.nanoTime() - start) / 1_000_000;
    long words = counter(result, "words");
    System.out.printf("WordCount on %s: %s, %d words counted in %d ms; output in %s-*%n",
        options.getRunner().getSimpleName(), options.getInputFile(), words, millis, options.getOutput());
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(WordCount.class, name)).build()).getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  /** The bundled text as a file (TextIO reads files), copied out of the jar when needed. */
  private static Path bundledText() throws Exception {
    URL url = WordCount.class.getResource("tale-of-two-cities.txt");
    if (url == null) {
      throw new IllegalStateException("the bundled text is missing from the classpath");
    }
    if ("file".equals(url.getProtocol())) {
      return Path.of(url.toURI());
    }
    Path copy = Files.createTempFile("sluice-wordcount-", ".txt");
    copy.toFile().deleteOnExit();
    try (InputStream in = url.openStream()) {
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
    }
    return copy;
  }
}
