package io.sluice.execution.channel;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;

/**
 * How the records of one edge become bytes and back. Every record that leaves its vertex goes
 * through its edge's serializer, so the consumer sees what decoding the bytes gives, never the
 * producer's object: the same data in memory as over a network, and a record that cannot be read
 * back fails the job where it crosses, not somewhere later.
 *
 * <p>An instance is used by one thread at a time (one per producing or consuming subtask may share
 * it only if it keeps no per-call state). Serializable: it travels with the job graph.
 */
public interface RecordSerializer extends Serializable {

  /** Writes one record; the channel frames it, so a writer need not mark where it ends. */
  void write(Object record, OutputStream out) throws IOException;

  /**
   * Reads the record written as {@code bytes[offset, offset + length)}. The array belongs to the
   * channel: a record that keeps bytes from it must copy them, or use them before it returns from
   * the operator call it is handed to.
   */
  Object read(byte[] bytes, int offset, int length) throws IOException;
}
