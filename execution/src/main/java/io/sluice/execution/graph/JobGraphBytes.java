package io.sluice.execution.graph;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;

/**
 * A job graph as bytes (Java serialization: operator factories hold user code), to ship to the
 * processes that run it, and back. Whatever cannot be shipped is named by its operator or edge.
 */
public final class JobGraphBytes {

  private JobGraphBytes() {}

  /** The graph's bytes; fails naming the first operator or edge that cannot be serialized. */
  public static byte[] of(JobGraph graph) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(graph);
    } catch (IOException e) {
      // Written once; only a failure is worth the part-by-part pass that names where it lies.
      throw culprit(graph, e);
    }
    return bytes.toByteArray();
  }

  private static IllegalArgumentException culprit(JobGraph graph, IOException failure) {
    for (Vertex vertex : graph.vertices()) {
      for (OperatorNode node : vertex.operators()) {
        IllegalArgumentException e = check(node.factory(), "operator '" + node.name() + "'");
        if (e != null) {
          return e;
        }
      }
    }
    for (Edge edge : graph.edges()) {
      String name = "the edge from '" + edge.from().name() + "' to '" + edge.to().name() + "'";
      IllegalArgumentException e = check(edge.serializer(), name + " (its record serializer)");
      if (e == null) {
        e = check(edge.partitioning(), name + " (its partitioning)");
      }
      if (e != null) {
        return e;
      }
    }
    return new IllegalArgumentException("job " + graph.name() + " cannot be shipped: " + failure, failure);
  }

  /** Reads a graph, resolving classes (user code among them) through {@code classLoader}. */
  public static JobGraph read(byte[] bytes, ClassLoader classLoader) throws IOException {
    try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), classLoader)) {
      return (JobGraph) in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("a class of the job graph is not on this process's class path: " + e.getMessage(), e);
    }
  }

  /** The graph as another process would run it: written to bytes and read back. */
  public static JobGraph copy(JobGraph graph, ClassLoader classLoader) {
    try {
      return read(of(graph), classLoader);
    } catch (IOException e) {
      throw new IllegalArgumentException("job " + graph.name() + " cannot be read back from its bytes: " + e, e);
    }
  }

  /** Why {@code part} cannot be serialized, or null if it can. */
  private static IllegalArgumentException check(Object part, String what) {
    try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
      out.writeObject(part);
      return null;
    } catch (NotSerializableException e) {
      return new IllegalArgumentException(what + " cannot be shipped to the processes that run it: it holds a "
          + e.getMessage() + ", which is not serializable", e);
    } catch (IOException e) {
      return new IllegalArgumentException(what + " cannot be shipped to the processes that run it: " + e, e);
    }
  }

}
