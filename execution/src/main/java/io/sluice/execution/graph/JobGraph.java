package io.sluice.execution.graph;

import io.sluice.execution.channel.JavaRecordSerializer;
import io.sluice.execution.channel.RecordSerializer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A job: vertices of fused operators, joined by edges. Must be acyclic between vertices. */
public final class JobGraph implements Serializable {

  private final String name;
  private final List<Vertex> vertices = new ArrayList<>();
  private final List<Edge> edges = new ArrayList<>();

  public JobGraph(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public Vertex addVertex(String vertexName, int parallelism) {
    Vertex v = new Vertex(vertices.size(), vertexName, parallelism);
    vertices.add(v);
    return v;
  }

  /**
   * Connects {@code from}'s output port to {@code to}'s input port. Inside one vertex only a
   * forward connection from an earlier to a later operator is possible (that is what fusion means).
   */
  public Edge connect(OperatorNode from, int fromPort, OperatorNode to, int toPort, Partitioning partitioning) {
    return connect(from, fromPort, to, toPort, partitioning, JavaRecordSerializer.INSTANCE);
  }

  /** As above, with the serializer that carries records between vertices. */
  public Edge connect(OperatorNode from, int fromPort, OperatorNode to, int toPort, Partitioning partitioning,
      RecordSerializer serializer) {
    Objects.requireNonNull(serializer, "serializer");
    if (from.vertex() == to.vertex()) {
      if (partitioning.kind() != Partitioning.Kind.FORWARD) {
        throw new IllegalArgumentException("operators of one vertex can only be connected forward: " + from + " -> " + to);
      }
      if (from.index() >= to.index()) {
        throw new IllegalArgumentException("a vertex's operators must be added producers first: " + from + " -> " + to);
      }
    }
    Edge e = new Edge(from, fromPort, to, toPort, partitioning, serializer);
    edges.add(e);
    return e;
  }

  /**
   * Each operator's id in checkpoints: its name, which a translator derives from the pipeline's
   * step names so that another run of the same pipeline finds its state; a name given twice gets
   * "#2", "#3"... in graph order.
   */
  public Map<OperatorNode, String> operatorIds() {
    Map<OperatorNode, String> ids = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Vertex v : vertices) {
      for (OperatorNode node : v.operators()) {
        int n = seen.merge(node.name(), 1, Integer::sum);
        ids.put(node, n == 1 ? node.name() : node.name() + "#" + n);
      }
    }
    return ids;
  }

  /**
   * True if {@code node} may keep keyed state: its input comes over a hash edge, directly or
   * through the operators chained before it. The others keep only operator state (a source's
   * position, a step's metrics, input held back), which is small.
   */
  public boolean isKeyed(OperatorNode node) {
    for (Edge e : edges) {
      if (e.to() == node && (e.partitioning().kind() == Partitioning.Kind.HASH || e.isChained() && isKeyed(e.from()))) {
        return true;
      }
    }
    return false;
  }

  public List<Vertex> vertices() {
    return Collections.unmodifiableList(vertices);
  }

  public List<Edge> edges() {
    return Collections.unmodifiableList(edges);
  }

  /** The edges that leave {@code v} for another vertex. */
  public List<Edge> outgoingChannels(Vertex v) {
    List<Edge> out = new ArrayList<>();
    for (Edge e : edges) {
      if (e.from().vertex() == v && !e.isChained()) {
        out.add(e);
      }
    }
    return out;
  }

  /** The edges that reach {@code v} from another vertex. */
  public List<Edge> incomingChannels(Vertex v) {
    List<Edge> in = new ArrayList<>();
    for (Edge e : edges) {
      if (e.to().vertex() == v && !e.isChained()) {
        in.add(e);
      }
    }
    return in;
  }

  /** A readable multi-line description: one line per vertex, then one per edge. */
  public String describe() {
    StringBuilder sb = new StringBuilder("job ").append(name).append('\n');
    for (Vertex v : vertices) {
      sb.append("  vertex ").append(v).append(": ");
      for (int i = 0; i < v.operators().size(); i++) {
        sb.append(i == 0 ? "" : " | ").append(v.operators().get(i).name());
      }
      sb.append('\n');
    }
    for (Edge e : edges) {
      if (!e.isChained()) {
        sb.append("  edge ").append(e).append('\n');
      }
    }
    return sb.toString();
  }
}
