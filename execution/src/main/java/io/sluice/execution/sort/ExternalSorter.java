package io.sluice.execution.sort;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts (key, value) byte records by key (unsigned lexicographic byte order), spilling sorted runs
 * past a memory budget. Not thread-safe: one owner thread.
 *
 * <p>Records are buffered until the buffer's accounted size (key and value bytes plus {@value
 * SortBuffer#RECORD_OVERHEAD_BYTES} bytes per record) exceeds the budget; the buffer is then
 * stably sorted and written as one run file in a private subdirectory of the spill directory,
 * created on the first spill so that a sort that fits in memory never touches the disk. {@link
 * #groups()} merges the runs and the sorted in-memory remainder. At most {@value
 * #DEFAULT_MAX_OPEN_FILES} run files are open at any time: with more runs than that, intermediate
 * passes first merge neighbouring runs into longer ones.
 *
 * <p>Equal keys keep their insertion order throughout: the buffer sort is stable, runs are only
 * ever merged with their neighbours, and the merge breaks ties by run age.
 */
public final class ExternalSorter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalSorter.class);

  /** Keeps the sort well clear of typical descriptor limits even with many sorts per worker. */
  static final int DEFAULT_MAX_OPEN_FILES = 64;

  private final Path spillDirectory;
  private final long memoryBudgetBytes;
  private final int maxOpenFiles;
  private final SortBuffer buffer = new SortBuffer();
  private final OpenFileCounter openFiles = new OpenFileCounter();
  /** Live runs, oldest first; the order is what keeps ties stable across runs. */
  private final List<SortedRun> runs = new ArrayList<>();

  private Path runDirectory;
  private int nextFileNumber;
  private long recordCount;
  private int spilledRuns;
  private long spilledBytes;
  private int mergePasses;
  private GroupIterator groups;
  private boolean inputEnded;
  private boolean failed;
  private boolean closed;

  public ExternalSorter(Path spillDirectory, long memoryBudgetBytes) {
    this(spillDirectory, memoryBudgetBytes, DEFAULT_MAX_OPEN_FILES);
  }

  /** Lets tests force deep merge trees without writing thousands of runs. */
  ExternalSorter(Path spillDirectory, long memoryBudgetBytes, int maxOpenFiles) {
    this.spillDirectory = Objects.requireNonNull(spillDirectory, "spillDirectory");
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("memoryBudgetBytes must be >= 0: " + memoryBudgetBytes);
    }
    if (maxOpenFiles < 3) {
      // An intermediate merge needs two inputs and an output to make progress.
      throw new IllegalArgumentException("maxOpenFiles must be >= 3: " + maxOpenFiles);
    }
    this.memoryBudgetBytes = memoryBudgetBytes;
    this.maxOpenFiles = maxOpenFiles;
  }

  /** Takes ownership of the arrays: the caller must not modify them afterwards. */
  public void add(byte[] key, byte[] value) throws IOException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    checkUsable();
    if (inputEnded) {
      throw new IllegalStateException("add() after groups()");
    }
    buffer.add(key, value);
    recordCount++;
    if (buffer.accountedBytes() > memoryBudgetBytes || buffer.isFull()) {
      spillBuffer();
    }
  }

  public long recordCount() {
    return recordCount;
  }

  /**
   * How many runs were written to disk so far because the buffer overflowed. Runs written by
   * intermediate merge passes are not counted; see {@link #mergePasses()}.
   */
  public int spilledRuns() {
    return spilledRuns;
  }

  /** Total size of the run files counted by {@link #spilledRuns()}. */
  public long spilledBytes() {
    return spilledBytes;
  }

  /** How many intermediate merge passes {@link #groups()} needed to respect the open-file bound. */
  public int mergePasses() {
    return mergePasses;
  }

  /** The most run files this sorter has had open at once. */
  int peakOpenFiles() {
    return openFiles.peak();
  }

  /** Ends input and returns the records grouped by equal key, keys ascending. Call once. */
  public GroupIterator groups() throws IOException {
    checkUsable();
    if (inputEnded) {
      throw new IllegalStateException("groups() may only be called once");
    }
    inputEnded = true;
    buffer.sort();
    if (runs.isEmpty()) {
      groups = new SortedGroupIterator(buffer.sortedRecords());
      return groups;
    }
    try {
      mergeUntilFilesFit();
      LOG.info(
          "Merging {} sorted runs ({} records on disk) with {} in-memory records",
          runs.size(),
          recordCount - buffer.size(),
          buffer.size());
      List<SortedRecordSource> sources = openRuns(runs);
      if (!buffer.isEmpty()) {
        // Last, because the buffer holds the newest records and ties are broken by age.
        sources.add(buffer.sortedRecords());
      }
      groups = new SortedGroupIterator(new MergedRecordSource(sources));
      return groups;
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  private void spillBuffer() throws IOException {
    int runNumber = spilledRuns + 1;
    int records = buffer.size();
    long bytes = buffer.runFileBytes();
    buffer.sort();
    SortedRun run;
    try {
      Path file = newRunFile();
      if (runNumber == 1) {
        LOG.info(
            "Sort exceeded its memory budget of {} bytes; spilling sorted runs to {}",
            memoryBudgetBytes,
            runDirectory);
      }
      try (RunWriter writer = RunWriter.create(file, openFiles);
          SortedRecordSource sorted = buffer.sortedRecords()) {
        while (sorted.advance()) {
          writer.write(sorted.key(), sorted.value());
        }
        run = writer.finish();
      }
    } catch (IOException e) {
      // The buffer's slots were cleared as they were written, so the records are gone: the
      // sorter cannot continue and must not pretend to.
      failed = true;
      String what = "sorted run #" + runNumber + " (" + records + " records buffered)";
      throw spillFailure(what, bytes, e);
    }
    buffer.clear();
    runs.add(run);
    spilledRuns++;
    spilledBytes += run.bytes();
    LOG.debug("Spilled sorted run #{}: {} records, {} bytes, {}", runNumber, records, bytes, run);
  }

  /**
   * Merges neighbouring runs until all remaining runs can be open at once for the final merge.
   * Each pass merges from the oldest runs onwards only as many runs as needed, so a small excess
   * over the bound costs one small merge rather than a rewrite of everything.
   */
  private void mergeUntilFilesFit() throws IOException {
    // One descriptor of an intermediate merge goes to its output.
    int maxInputs = maxOpenFiles - 1;
    while (runs.size() > maxOpenFiles) {
      mergePasses++;
      int before = runs.size();
      List<SortedRun> next = new ArrayList<>();
      int i = 0;
      while (i < runs.size()) {
        int projected = next.size() + runs.size() - i;
        if (projected <= maxOpenFiles) {
          next.addAll(runs.subList(i, runs.size()));
          break;
        }
        int count = Math.min(maxInputs, Math.min(runs.size() - i, projected - maxOpenFiles + 1));
        next.add(count == 1 ? runs.get(i) : mergeRuns(runs.subList(i, i + count)));
        i += count;
      }
      runs.clear();
      runs.addAll(next);
      LOG.info("Merge pass {} reduced {} sorted runs to {}", mergePasses, before, runs.size());
    }
  }

  private SortedRun mergeRuns(List<SortedRun> inputs) throws IOException {
    long recordBytes = 0;
    for (SortedRun input : inputs) {
      recordBytes += input.bytes() - RunFormat.runBytes(0);
    }
    long bytes = RunFormat.runBytes(recordBytes);
    String what = "merge of " + inputs.size() + " runs";
    SortedRun merged;
    RunWriter writer;
    try {
      writer = RunWriter.create(newRunFile(), openFiles);
    } catch (IOException e) {
      throw spillFailure(what, bytes, e);
    }
    try (writer;
        MergedRecordSource records = new MergedRecordSource(openRuns(inputs))) {
      while (records.advance()) {
        try {
          writer.write(records.key(), records.value());
        } catch (IOException e) {
          throw spillFailure(what, bytes, e);
        }
      }
      try {
        merged = writer.finish();
      } catch (IOException e) {
        throw spillFailure(what, bytes, e);
      }
    }
    // Freed right away: the disk holds each record about once rather than once per pass.
    for (SortedRun input : inputs) {
      Files.deleteIfExists(input.file());
    }
    LOG.debug("Merged {} runs into {}", inputs.size(), merged);
    return merged;
  }

  private List<SortedRecordSource> openRuns(List<SortedRun> toOpen) throws IOException {
    List<SortedRecordSource> readers = new ArrayList<>(toOpen.size() + 1);
    try {
      for (SortedRun run : toOpen) {
        readers.add(RunReader.open(run, openFiles));
      }
      return readers;
    } catch (IOException | RuntimeException e) {
      for (SortedRecordSource reader : readers) {
        reader.close();
      }
      throw e;
    }
  }

  private Path newRunFile() throws IOException {
    if (runDirectory == null) {
      runDirectory = Files.createTempDirectory(spillDirectory, "sort-");
    }
    return runDirectory.resolve(String.format("run-%06d.bin", nextFileNumber++));
  }

  private IOException spillFailure(String what, long bytes, IOException cause) {
    return new IOException(
        "Failed to write "
            + what
            + ", "
            + bytes
            + " bytes, to spill directory "
            + spillDirectory
            + ": "
            + cause,
        cause);
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException("ExternalSorter is closed");
    }
    if (failed) {
      throw new IllegalStateException("ExternalSorter failed earlier and cannot be used further");
    }
  }

  /** Deletes every spill file it made, idempotent, never throws. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (groups != null) {
      // Closed before deleting: some platforms cannot delete open files.
      groups.close();
    }
    buffer.release();
    runs.clear();
    if (runDirectory != null) {
      deleteRunDirectory();
    }
  }

  private void deleteRunDirectory() {
    // Everything in the directory is ours, including partial files of failed writes.
    try (DirectoryStream<Path> files = Files.newDirectoryStream(runDirectory)) {
      for (Path file : files) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Could not delete spill file {}", file, e);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (Files.exists(runDirectory)) {
        LOG.warn("Could not list spill directory {}", runDirectory, e);
      }
    }
    try {
      Files.deleteIfExists(runDirectory);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete spill directory {}", runDirectory, e);
    }
  }
}
