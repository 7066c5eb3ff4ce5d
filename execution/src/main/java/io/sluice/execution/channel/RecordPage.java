package io.sluice.execution.channel;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A page of records on its way to one consumer subtask: each record as a 4-byte length followed by
 * its serialized bytes, back to back in one array. A page is filled by one producer, then handed
 * over whole in a frame; the consumer reads it with {@link Reader}.
 */
public final class RecordPage extends OutputStream {

  /** How far past the bytes needed a page grows at most. */
  private static final int GROWTH_SLACK = 64 * 1024;

  private byte[] bytes;
  private int size;
  private int count;
  private int recordStart = -1;

  public RecordPage(int initialCapacity) {
    this.bytes = new byte[Math.max(16, initialCapacity)];
  }

  /** Starts a record: its bytes follow through this stream until {@link #endRecord()}. */
  public void beginRecord() {
    ensure(4);
    recordStart = size;
    size += 4;
  }

  public void endRecord() {
    int length = size - recordStart - 4;
    bytes[recordStart] = (byte) (length >>> 24);
    bytes[recordStart + 1] = (byte) (length >>> 16);
    bytes[recordStart + 2] = (byte) (length >>> 8);
    bytes[recordStart + 3] = (byte) length;
    recordStart = -1;
    count++;
  }

  /** Drops a record begun but not ended (its serializer failed). */
  public void abortRecord() {
    if (recordStart >= 0) {
      size = recordStart;
      recordStart = -1;
    }
  }

  /** Appends {@code record} as {@code serializer} writes it; on failure the page is as it was. */
  public void append(Object record, RecordSerializer serializer) throws IOException {
    beginRecord();
    try {
      serializer.write(record, this);
    } catch (IOException | RuntimeException e) {
      abortRecord();
      throw e;
    }
    endRecord();
  }

  /** Appends a whole record already framed in another page (a broadcast serializes once). */
  public void appendRecord(byte[] from, int offset, int framedLength) {
    ensure(framedLength);
    System.arraycopy(from, offset, bytes, size, framedLength);
    size += framedLength;
    count++;
  }

  @Override
  public void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  private void ensure(int more) {
    int needed = size + more;
    if (needed > bytes.length) {
      // Doubling, but by at most GROWTH_SLACK beyond what is needed: a record of 100 MB must not
      // leave a 200 MB array behind it.
      bytes = Arrays.copyOf(bytes, Math.max(needed, Math.min(bytes.length * 2, needed + GROWTH_SLACK)));
    }
  }

  public byte[] bytes() {
    return bytes;
  }

  public int size() {
    return size;
  }

  public int count() {
    return count;
  }

  /** Reads the records of a page in order, handing each to a serializer. */
  public static final class Reader {
    private final byte[] bytes;
    private final int end;
    private int position;

    public Reader(byte[] bytes, int size) {
      this.bytes = bytes;
      this.end = size;
    }

    public boolean hasNext() {
      return position < end;
    }

    public Object next(RecordSerializer serializer) throws IOException {
      int length = ((bytes[position] & 0xff) << 24) | ((bytes[position + 1] & 0xff) << 16)
          | ((bytes[position + 2] & 0xff) << 8) | (bytes[position + 3] & 0xff);
      int offset = position + 4;
      if (length < 0 || offset + length > end) {
        throw new IOException("corrupt record page: a record of " + length + " bytes at " + position
            + " runs past the page's " + end + " bytes");
      }
      position = offset + length;
      return serializer.read(bytes, offset, length);
    }
  }
}
