package io.sluice.translation.operators.batch;

import java.io.IOException;

/**
 * The encoded values of one key in a batch grouping operator, which may be read any number of
 * times (Beam lets a DoFn iterate a grouped value more than once). Valid only while the operator
 * hands out the key's group.
 */
interface EncodedValues {

  /** A fresh pass over the values, in arrival order. */
  Cursor cursor() throws IOException;

  /** True when the values did not fit the memory they were allowed and are read back from disk. */
  boolean onDisk();

  /** Receives one key's values, valid until it returns. */
  interface GroupConsumer {
    void accept(byte[] key, EncodedValues values) throws Exception;
  }

  /** One pass over encoded values: the current value is {@code bytes()[offset(), offset() + length())}. */
  interface Cursor extends AutoCloseable {
    boolean next() throws IOException;

    byte[] bytes();

    int offset();

    int length();

    @Override
    void close() throws IOException;
  }
}
