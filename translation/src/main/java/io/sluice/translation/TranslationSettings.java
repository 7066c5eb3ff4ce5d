package io.sluice.translation;

import org.apache.beam.sdk.options.PipelineOptions;

/** What translation needs to know of the user's options. */
public final class TranslationSettings {

  private final PipelineOptions options;
  private final int parallelism;
  private final int maxBundleSize;
  private final boolean streaming;
  private final boolean checkpointing;

  public TranslationSettings(PipelineOptions options, int parallelism, int maxBundleSize, boolean streaming) {
    this(options, parallelism, maxBundleSize, streaming, false);
  }

  /** {@code checkpointing}: a streaming job will take checkpoints (batch jobs never do). */
  public TranslationSettings(PipelineOptions options, int parallelism, int maxBundleSize, boolean streaming,
      boolean checkpointing) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    if (maxBundleSize < 1) {
      throw new IllegalArgumentException("maxBundleSize must be >= 1, got " + maxBundleSize);
    }
    this.options = options;
    this.parallelism = parallelism;
    this.maxBundleSize = maxBundleSize;
    this.streaming = streaming;
    this.checkpointing = checkpointing;
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

  /**
   * True when the pipeline runs continuously: watermarks and timers drive its operators, state
   * is keyed and kept in the state backend, side inputs may change while the main input flows.
   */
  public boolean streaming() {
    return streaming;
  }

  /**
   * True when a streaming job takes checkpoints: sources must then be readable a piece at a time,
   * with their position in each checkpoint.
   */
  public boolean checkpointing() {
    return streaming && checkpointing;
  }

  public TranslationSettings withStreaming(boolean streaming) {
    return new TranslationSettings(options, parallelism, maxBundleSize, streaming, checkpointing);
  }
}
