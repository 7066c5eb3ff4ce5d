package io.sluice.execution.channel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;

/**
 * Java serialization, for engine users whose records are {@link java.io.Serializable} and who give
 * an edge no serializer of its own. Slow and verbose: a real job's translation names one per edge.
 */
public final class JavaRecordSerializer implements RecordSerializer {

  public static final JavaRecordSerializer INSTANCE = new JavaRecordSerializer();

  private JavaRecordSerializer() {}

  @Override
  public void write(Object record, OutputStream out) throws IOException {
    ObjectOutputStream objects = new ObjectOutputStream(out);
    objects.writeObject(record);
    objects.flush();
  }

  @Override
  public Object read(byte[] bytes, int offset, int length) throws IOException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length))) {
      return in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("cannot read a record: " + e.getMessage(), e);
    }
  }

  /** One instance per process, a shipped graph's too. */
  private Object readResolve() {
    return INSTANCE;
  }
}
