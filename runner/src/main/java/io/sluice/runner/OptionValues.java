package io.sluice.runner;

import io.sluice.execution.state.KeyGroups;

/**
 * The values a job runs with, read from {@link SluicePipelineOptions}: an option shared with
 * another runner keeps that runner's type and default, so "unset" and the shared meanings are read
 * here, in one place, and bad values are refused with the option's name. Those of state and
 * recovery are {@link io.sluice.translation.options.RecoveryOptionValues}.
 */
final class OptionValues {

  private OptionValues() {}

  /**
   * Subtasks per stage: the cores when unset or -1 (the FlinkRunner's "default"), but no more than
   * the maximum parallelism; an explicit value above it is refused.
   */
  static int parallelism(SluicePipelineOptions options) {
    Integer parallelism = options.getParallelism();
    int max = maxParallelism(options);
    if (parallelism == null || parallelism == -1) {
      return Math.min(Runtime.getRuntime().availableProcessors(), max);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1 (or -1 for the number of cores), got "
          + parallelism);
    }
    if (parallelism > max) {
      throw new IllegalArgumentException("--parallelism " + parallelism + " is above --maxParallelism " + max
          + " (the number of key groups, which bounds every stage's parallelism): raise --maxParallelism (at most "
          + KeyGroups.UPPER_BOUND + ") or lower --parallelism");
    }
    return parallelism;
  }

  /** Key groups, and so the highest parallelism: 128 when unset or -1 (the FlinkRunner's "default"). */
  static int maxParallelism(SluicePipelineOptions options) {
    Integer max = options.getMaxParallelism();
    if (max == null || max == -1) {
      return KeyGroups.DEFAULT_MAX_PARALLELISM;
    }
    if (max < 1 || max > KeyGroups.UPPER_BOUND) {
      throw new IllegalArgumentException("--maxParallelism must be between 1 and " + KeyGroups.UPPER_BOUND
          + " (or -1 for " + KeyGroups.DEFAULT_MAX_PARALLELISM + "), got " + max);
    }
    return max;
  }

  static int maxBundleSize(SluicePipelineOptions options) {
    Integer size = options.getMaxElementsPerBundle();
    if (size == null || size < 1) {
      throw new IllegalArgumentException("--maxElementsPerBundle must be at least 1, got " + size);
    }
    return size;
  }
}
