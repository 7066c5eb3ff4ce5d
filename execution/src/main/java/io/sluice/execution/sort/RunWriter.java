package io.sluice.execution.sort;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one sorted run in {@link RunFormat}. A writer closed before {@link #finish()} deletes its
 * partial file, so a failed spill never leaves a file that looks like a run.
 *
 * <p>There is deliberately no fsync: runs are read back by the same process, through the page
 * cache, and are worthless after a crash anyway.
 */
final class RunWriter implements AutoCloseable {

  private final Path file;
  private final OpenFileCounter openFiles;
  private final DataOutputStream out;
  private final CRC32C checksum = new CRC32C();
  private final byte[] framing = new byte[RunFormat.RECORD_FRAMING_BYTES];
  private long recordCount;
  private long bytes;
  private boolean closed;
  private boolean finished;

  private RunWriter(Path file, OpenFileCounter openFiles, DataOutputStream out) {
    this.file = file;
    this.openFiles = openFiles;
    this.out = out;
  }

  /** Creates the file, which must not exist yet, and writes the header. */
  static RunWriter create(Path file, OpenFileCounter openFiles) throws IOException {
    OutputStream raw =
        Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    openFiles.opened();
    RunWriter writer =
        new RunWriter(
            file,
            openFiles,
            new DataOutputStream(new BufferedOutputStream(raw, RunFormat.IO_BUFFER_BYTES)));
    try {
      writer.out.writeInt(RunFormat.MAGIC);
      writer.out.writeInt(RunFormat.VERSION);
      writer.bytes = RunFormat.HEADER_BYTES;
      return writer;
    } catch (IOException e) {
      writer.close();
      throw e;
    }
  }

  void write(byte[] key, byte[] value) throws IOException {
    RunFormat.putInt(framing, 0, key.length);
    RunFormat.putInt(framing, 4, value.length);
    out.write(framing);
    out.write(key);
    out.write(value);
    // The framing is checksummed too: a damaged length that happens to keep the total intact
    // would otherwise silently move bytes from key to value.
    checksum.update(framing, 0, framing.length);
    checksum.update(key, 0, key.length);
    checksum.update(value, 0, value.length);
    recordCount++;
    bytes += RunFormat.recordBytes(key.length, value.length);
  }

  /** Writes the footer and closes the file; the run is only valid once this returns. */
  SortedRun finish() throws IOException {
    out.writeInt(RunFormat.END_OF_RECORDS);
    out.writeLong(recordCount);
    out.writeLong(checksum.getValue());
    bytes += RunFormat.FOOTER_BYTES;
    closed = true;
    openFiles.closed();
    out.close();
    finished = true;
    return new SortedRun(file, recordCount, bytes);
  }

  long bytesWritten() {
    return bytes;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      openFiles.closed();
      try {
        out.close();
      } catch (IOException ignored) {
        // The file is being abandoned; the error that made us abandon it is what matters.
      }
    }
    if (!finished) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // The sorter deletes its whole spill directory on close, which retries this.
      }
    }
  }
}
