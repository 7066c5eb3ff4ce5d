package io.sluice.translation.operators.batch;

import io.sluice.translation.records.WindowedValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * A key's encoded values as elements, decoded one at a time as they are read: what the coder makes
 * of the bytes, each pass a fresh read. A decoding failure (the user's coder) surfaces as an
 * {@link UncheckedIOException} from the iterator.
 */
final class DecodedValues<V> implements Iterable<WindowedValue<V>> {

  /** The key's values: derived, borrowed from the grouping operator, valid only while it hands out the key. */
  private final EncodedValues values;
  private final WindowedValueCodec<V> codec;

  DecodedValues(EncodedValues values, WindowedValueCodec<V> codec) {
    this.values = values;
    this.codec = codec;
  }

  @Override
  public Iterator<WindowedValue<V>> iterator() {
    EncodedValues.Cursor cursor;
    try {
      cursor = values.cursor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Iterator<WindowedValue<V>>() {
      /** A value is read and not yet returned: derived, per element. */
      private boolean ready;
      /** The cursor is used up and closed: derived, per pass. */
      private boolean done;

      @Override
      public boolean hasNext() {
        if (!ready && !done) {
          try {
            ready = cursor.next();
            if (!ready) {
              done = true;
              cursor.close();
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return ready;
      }

      @Override
      public WindowedValue<V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        ready = false;
        try {
          return codec.decode(cursor.bytes(), cursor.offset(), cursor.length());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
