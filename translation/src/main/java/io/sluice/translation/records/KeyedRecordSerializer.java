package io.sluice.translation.records;

import io.sluice.execution.channel.RecordSerializer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Carries {@link KeyedRecord}s over a keyed edge: the encoded key, then the element without its key
 * (the encoded key stands for it, so a large key crosses once) in the encoding the consumer keeps.
 * A consumer that groups its input as bytes gets the element's bytes without decoding them ({@link
 * #keepingBytes}); every other consumer gets the decoded element.
 */
public final class KeyedRecordSerializer implements RecordSerializer {

  /** Encodes a KV-valued element without its key, which travels apart; decodes the KV's value. */
  private final WindowedValueCodec<?> codec;
  /** Decodes the key to rebuild the element's KV on the receiving side; null when the consumer keeps bytes. */
  private final Coder<?> keyCoder;

  private KeyedRecordSerializer(WindowedValueCodec<?> codec, Coder<?> keyCoder) {
    this.codec = codec;
    this.keyCoder = keyCoder;
  }

  /** Elements of a {@code KvCoder} PCollection, decoded whole on the receiving side. */
  public static KeyedRecordSerializer decoding(Coder<?> kvCoder, WindowingStrategy<?, ?> windowing) {
    KvCoder<?, ?> coder = (KvCoder<?, ?>) kvCoder;
    return new KeyedRecordSerializer(WindowedValueCodec.keyedValues(coder.getValueCoder(), windowing),
        coder.getKeyCoder());
  }

  /**
   * The consumer receives the element as {@code codec}'s bytes (a codec of KV-valued elements that
   * leaves the key out) and decodes it when it needs to.
   */
  public static KeyedRecordSerializer keepingBytes(WindowedValueCodec<?> codec) {
    return new KeyedRecordSerializer(codec, null);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void write(Object record, OutputStream out) throws IOException {
    KeyedRecord keyed = (KeyedRecord) record;
    byte[] key = keyed.key();
    VarInt.encode(key.length, out);
    out.write(key);
    ((WindowedValueCodec) codec).encode(keyed.value(), out);
  }

  @Override
  public Object read(byte[] bytes, int offset, int length) throws IOException {
    int end = offset + length;
    int keyLength = 0;
    int shift = 0;
    int position = offset;
    while (true) {
      if (position >= end || shift > 28) {
        throw new IOException("corrupt keyed record: bad key length");
      }
      byte b = bytes[position++];
      keyLength |= (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
    }
    if (keyLength < 0 || position + keyLength > end) {
      throw new IOException("corrupt keyed record: a key of " + keyLength + " bytes in a record of " + length);
    }
    byte[] key = Arrays.copyOfRange(bytes, position, position + keyLength);
    position += keyLength;
    if (keyCoder != null) {
      WindowedValue<?> value = codec.decode(bytes, position, end - position);
      return new KeyedRecord(key, value.withValue(KV.of(CoderBytes.decode(keyCoder, key), value.getValue())));
    }
    return KeyedRecord.encoded(key, bytes, position, end - position);
  }
}
