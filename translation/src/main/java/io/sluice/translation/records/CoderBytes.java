package io.sluice.translation.records;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * Encodes values to byte arrays and decodes them back with a Beam coder, as Beam's {@code
 * CoderUtils} does, through plain streams. {@code CoderUtils} writes into a {@code
 * ByteArrayOutputStream} behind a {@code FilterOutputStream}, so a coder that writes byte by byte
 * (every var-int) takes a monitor per byte; its decoding reads a {@code ByteArrayInputStream}, whose
 * single-byte read is synchronized too. Encoding a batch GroupByKey's long keys that way was a third
 * of its source subtasks' time (async-profiler). An instance reuses one buffer: it belongs to one
 * thread, as an operator does.
 */
public final class CoderBytes {

  /** The buffer of the encoding under way: derived, reused by every call, for the owner's life. */
  private final Buffer buffer = new Buffer();

  /**
   * {@code value} in {@code coder}'s outer encoding, as a new array. Outer, as Beam's {@code
   * CoderUtils}: a coder of arrays or strings then writes no length, so the bytes are those Beam
   * itself compares and stores.
   */
  @SuppressWarnings("deprecation")
  public <T> byte[] encode(Coder<T> coder, T value) throws CoderException {
    buffer.count = 0;
    try {
      coder.encode(value, buffer, Coder.Context.OUTER);
    } catch (CoderException e) {
      throw e;
    } catch (IOException e) {
      throw new CoderException("cannot encode a value with " + coder, e);
    }
    return Arrays.copyOf(buffer.bytes, buffer.count);
  }

  /** Decodes the whole of {@code bytes}; bytes left over mean the coder does not match them. */
  public static <T> T decode(Coder<T> coder, byte[] bytes) throws CoderException {
    return decode(coder, bytes, 0, bytes.length);
  }

  /** Decodes the whole of {@code bytes[offset, offset + length)} in the outer context; bytes left over are an error. */
  @SuppressWarnings("deprecation")
  public static <T> T decode(Coder<T> coder, byte[] bytes, int offset, int length) throws CoderException {
    Reader in = new Reader(bytes, offset, length);
    T value;
    try {
      value = coder.decode(in, Coder.Context.OUTER);
    } catch (CoderException e) {
      throw e;
    } catch (IOException e) {
      throw new CoderException("cannot decode " + length + " bytes with " + coder, e);
    }
    if (in.available() != 0) {
      throw new CoderException(in.available() + " unexpected extra bytes after decoding with " + coder);
    }
    return value;
  }

  /**
   * An input stream over part of an array, without locks; what a coder reads from when the caller
   * needs the stream itself (to decode several values in a row).
   */
  public static InputStream reader(byte[] bytes, int offset, int length) {
    return new Reader(bytes, offset, length);
  }

  private static final class Buffer extends OutputStream {
    private byte[] bytes = new byte[64];
    private int count;

    private void ensure(int more) {
      if (count + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(count + more, bytes.length * 2));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }

    /** A coder must not close the stream it is given; the buffer outlives the call, so closing does nothing. */
    @Override
    public void close() {}
  }

  /**
   * A byte-array stream without its locks. It stays a {@code ByteArrayInputStream} because Beam's
   * coders of whole arrays take a fast path for that class.
   */
  private static final class Reader extends ByteArrayInputStream {
    Reader(byte[] bytes, int offset, int length) {
      super(bytes, offset, length);
    }

    @Override
    public int read() {
      return pos < count ? buf[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= count) {
        return -1;
      }
      int n = Math.min(len, count - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long k = Math.max(0, Math.min(n, count - pos));
      pos += (int) k;
      return k;
    }

    @Override
    public int available() {
      return count - pos;
    }
  }
}
