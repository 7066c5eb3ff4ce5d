package io.sluice.execution.sort;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Streams the records of one run file back, checking everything the format lets us check: the
 * file size recorded when the run was written, the framing, the record count and the checksum.
 * Any mismatch is an {@link IOException} naming the file, never a silently shortened group.
 */
final class RunReader implements SortedRecordSource {

  private final SortedRun run;
  private final OpenFileCounter openFiles;
  private final DataInputStream in;
  private final CRC32C checksum = new CRC32C();
  private final byte[] framing = new byte[RunFormat.RECORD_FRAMING_BYTES];
  private long position = RunFormat.HEADER_BYTES;
  private long recordsRead;
  private byte[] key;
  private byte[] value;
  private boolean exhausted;
  private boolean closed;

  private RunReader(SortedRun run, OpenFileCounter openFiles, DataInputStream in) {
    this.run = run;
    this.openFiles = openFiles;
    this.in = in;
  }

  static RunReader open(SortedRun run, OpenFileCounter openFiles) throws IOException {
    Path file = run.file();
    long actualBytes = Files.size(file);
    if (actualBytes != run.bytes()) {
      throw new IOException(
          "Spill run file "
              + file
              + " is truncated or corrupt: it was written with "
              + run.bytes()
              + " bytes but now has "
              + actualBytes);
    }
    InputStream raw = Files.newInputStream(file);
    openFiles.opened();
    RunReader reader =
        new RunReader(
            run,
            openFiles,
            new DataInputStream(new BufferedInputStream(raw, RunFormat.IO_BUFFER_BYTES)));
    try {
      int magic = reader.in.readInt();
      int version = reader.in.readInt();
      if (magic != RunFormat.MAGIC || version != RunFormat.VERSION) {
        throw reader.corrupt(
            String.format(
                "bad header (magic %08x, version %d; expected %08x, version %d)",
                magic, version, RunFormat.MAGIC, RunFormat.VERSION));
      }
      return reader;
    } catch (EOFException e) {
      reader.close();
      throw reader.corrupt("file ends inside the header", e);
    } catch (IOException e) {
      reader.close();
      throw e;
    }
  }

  @Override
  public boolean advance() throws IOException {
    if (exhausted) {
      return false;
    }
    try {
      in.readFully(framing, 0, 4);
      int keyLength = RunFormat.getInt(framing, 0);
      if (keyLength == RunFormat.END_OF_RECORDS) {
        readFooter();
        return false;
      }
      in.readFully(framing, 4, 4);
      int valueLength = RunFormat.getInt(framing, 4);
      long remaining = run.bytes() - position - RunFormat.FOOTER_BYTES;
      if (keyLength < 0
          || valueLength < 0
          || RunFormat.recordBytes(keyLength, valueLength) > remaining) {
        // Checked before allocating so that a damaged length cannot ask for gigabytes.
        throw corrupt(
            "record lengths (key "
                + keyLength
                + ", value "
                + valueLength
                + ") do not fit in the "
                + remaining
                + " bytes left before the footer");
      }
      key = new byte[keyLength];
      value = new byte[valueLength];
      in.readFully(key);
      in.readFully(value);
      checksum.update(framing, 0, framing.length);
      checksum.update(key, 0, keyLength);
      checksum.update(value, 0, valueLength);
      position += RunFormat.recordBytes(keyLength, valueLength);
      recordsRead++;
      return true;
    } catch (EOFException e) {
      throw corrupt("file ends in the middle of a record (truncated)", e);
    }
  }

  private void readFooter() throws IOException {
    long recordCount = in.readLong();
    long expectedChecksum = in.readLong();
    if (recordCount != recordsRead || recordCount != run.recordCount()) {
      throw corrupt(
          "footer says "
              + recordCount
              + " records, read "
              + recordsRead
              + ", written "
              + run.recordCount());
    }
    if (expectedChecksum != checksum.getValue()) {
      throw corrupt(
          String.format(
              "checksum mismatch (footer %08x, data %08x)", expectedChecksum, checksum.getValue()));
    }
    if (in.read() != -1) {
      throw corrupt("unexpected bytes after the footer");
    }
    exhausted = true;
    key = null;
    value = null;
    // Releasing the descriptor as soon as a run is drained keeps the merge's open-file count at
    // the number of runs that still have records.
    close();
  }

  @Override
  public byte[] key() {
    return key;
  }

  @Override
  public byte[] value() {
    return value;
  }

  private IOException corrupt(String detail) {
    return corrupt(detail, null);
  }

  private IOException corrupt(String detail, Throwable cause) {
    return new IOException(
        "Spill run file "
            + run.file()
            + " is corrupt: "
            + detail
            + " (at byte "
            + position
            + " of "
            + run.bytes()
            + ", after "
            + recordsRead
            + " of "
            + run.recordCount()
            + " records)",
        cause);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    openFiles.closed();
    try {
      in.close();
    } catch (IOException ignored) {
      // Read-only descriptor: nothing can be lost by failing to close it.
    }
  }
}
