package io.sluice.translation.state;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.joda.time.Instant;

/**
 * The byte layout of state in a {@link io.sluice.execution.state.SortedByteStore}.
 *
 * <p>A cell (one state of one key in one namespace) lives under
 * {@code keyPrefix | varint len | namespace | varint len | stateId | kind}. Both strings are
 * length-prefixed so that no cell's prefix is a prefix of another's: scanning a cell never strays
 * into a neighbour whose namespace or id merely starts with the same characters, and everything of
 * one namespace sits under {@code keyPrefix | varint len | namespace}. The kind byte keeps cells of
 * different state types apart even if a state id is reused. What follows the kind depends on the
 * type (see the state classes).
 *
 * <p>Fixed-width numbers are big-endian so that unsigned byte order is numeric order; timestamps
 * have their sign bit flipped so that negative ones sort before positive ones.
 */
final class StateKeys {

  static final byte VALUE = 'v';
  static final byte COMBINING = 'c';
  static final byte WATERMARK = 'w';
  static final byte BAG = 'b';
  static final byte SET = 's';
  static final byte MAP = 'm';
  static final byte MULTIMAP = 'M';
  static final byte ORDERED_LIST = 'o';

  /** Suffix byte of the sequence counter of appending cells; sorts before their entries. */
  static final byte COUNTER = 0x00;
  /** Suffix byte in front of every entry of appending cells. */
  static final byte ENTRIES = 0x01;

  static final byte[] EMPTY = new byte[0];

  private StateKeys() {}

  /** The prefix shared by every state cell of one namespace of one key. */
  static byte[] namespacePrefix(byte[] keyPrefix, String namespaceKey) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(keyPrefix.length + namespaceKey.length() + 2);
    out.writeBytes(keyPrefix);
    writeLengthPrefixed(out, namespaceKey.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** The cell prefix without its kind byte: what identifies a state for caching. */
  static byte[] cellBase(byte[] namespacePrefix, String stateId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(namespacePrefix.length + stateId.length() + 2);
    out.writeBytes(namespacePrefix);
    writeLengthPrefixed(out, stateId.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte... b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] concat(byte[] a, byte[] b, byte[] c) {
    byte[] out = new byte[a.length + b.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    System.arraycopy(c, 0, out, a.length + b.length, c.length);
    return out;
  }

  static byte[] lengthPrefixed(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 5);
    writeLengthPrefixed(out, bytes);
    return out.toByteArray();
  }

  private static void writeLengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
    int n = bytes.length;
    while ((n & ~0x7f) != 0) {
      out.write((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.write(n);
    out.writeBytes(bytes);
  }

  static byte[] longBytes(long v) {
    byte[] out = new byte[8];
    putLong(out, 0, v);
    return out;
  }

  static void putLong(byte[] out, int pos, long v) {
    for (int i = 7; i >= 0; i--) {
      out[pos + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] in, int pos) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[pos + i] & 0xff);
    }
    return v;
  }

  static byte[] timestampBytes(Instant t) {
    byte[] out = new byte[8];
    putTimestamp(out, 0, t);
    return out;
  }

  static void putTimestamp(byte[] out, int pos, Instant t) {
    putLong(out, pos, t.getMillis() ^ Long.MIN_VALUE);
  }

  static Instant timestampAt(byte[] in, int pos) {
    return Instant.ofEpochMilli(getLong(in, pos) ^ Long.MIN_VALUE);
  }
}
