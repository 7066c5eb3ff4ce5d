package io.sluice.translation;

import org.apache.beam.sdk.options.PipelineOptions;

/** What translation needs to know of the user's options. */
public final class TranslationSettings {

  private final PipelineOptions options;
  private final int parallelism;
  private final int maxBundleSize;

  public TranslationSettings(PipelineOptions options, int parallelism, int maxBundleSize) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    if (maxBundleSize < 1) {
      throw new IllegalArgumentException("maxBundleSize must be >= 1, got " + maxBundleSize);
    }
    this.options = options;
    this.parallelism = parallelism;
    this.maxBundleSize = maxBundleSize;
  }

  public PipelineOptions options() {
    return options;
  }

  public int parallelism() {
    return parallelism;
  }

  public int maxBundleSize() {
    return maxBundleSize;
  }
}
