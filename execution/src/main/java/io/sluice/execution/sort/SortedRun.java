package io.sluice.execution.sort;

import java.nio.file.Path;

/**
 * A finished run file. The expected size lets a reader reject a truncated file before it hands
 * out a single record.
 */
record SortedRun(Path file, long recordCount, long bytes) {}
