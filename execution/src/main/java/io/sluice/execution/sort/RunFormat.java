package io.sluice.execution.sort;

/**
 * Layout of a spilled run file, all integers big-endian:
 *
 * <pre>
 *   header:  int MAGIC, int VERSION
 *   records: int keyLength, int valueLength, key bytes, value bytes    (repeated, sorted by key)
 *   footer:  int END_OF_RECORDS, long recordCount, long CRC-32C of every record's bytes
 * </pre>
 *
 * <p>The footer exists because a file cut short exactly on a record boundary would otherwise read
 * as a shorter, valid run; the checksum catches damage that leaves the framing intact. Runs are
 * written and read back by the same process, so there is no need for versioned evolution beyond
 * refusing what we do not recognise.
 */
final class RunFormat {

  static final int MAGIC = 0x534C5352; // "SLSR"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 8;
  static final int RECORD_FRAMING_BYTES = 8;
  /** Sits where a key length would be, so the reader can tell the footer from another record. */
  static final int END_OF_RECORDS = -1;

  static final int FOOTER_BYTES = 4 + 8 + 8;
  static final int IO_BUFFER_BYTES = 64 * 1024;

  private RunFormat() {}

  static long recordBytes(int keyLength, int valueLength) {
    return RECORD_FRAMING_BYTES + (long) keyLength + valueLength;
  }

  static long runBytes(long totalRecordBytes) {
    return HEADER_BYTES + totalRecordBytes + FOOTER_BYTES;
  }

  static void putInt(byte[] target, int offset, int value) {
    target[offset] = (byte) (value >>> 24);
    target[offset + 1] = (byte) (value >>> 16);
    target[offset + 2] = (byte) (value >>> 8);
    target[offset + 3] = (byte) value;
  }

  static int getInt(byte[] source, int offset) {
    return ((source[offset] & 0xFF) << 24)
        | ((source[offset + 1] & 0xFF) << 16)
        | ((source[offset + 2] & 0xFF) << 8)
        | (source[offset + 3] & 0xFF);
  }
}
