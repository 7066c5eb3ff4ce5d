package io.sluice.execution.graph;

import io.sluice.execution.channel.RecordSerializer;
import java.io.Serializable;

/**
 * Connects an output port of one operator to an input port of another. Between operators of the
 * same vertex an edge is a direct call; between vertices it is a set of bounded channels shaped by
 * its {@link Partitioning}, over which records travel serialized by its {@link RecordSerializer}.
 */
public final class Edge implements Serializable {

  private final OperatorNode from;
  private final int fromPort;
  private final OperatorNode to;
  private final int toPort;
  private final Partitioning partitioning;
  private final RecordSerializer serializer;

  Edge(OperatorNode from, int fromPort, OperatorNode to, int toPort, Partitioning partitioning,
      RecordSerializer serializer) {
    this.from = from;
    this.fromPort = fromPort;
    this.to = to;
    this.toPort = toPort;
    this.partitioning = partitioning;
    this.serializer = serializer;
  }

  public OperatorNode from() {
    return from;
  }

  public int fromPort() {
    return fromPort;
  }

  public OperatorNode to() {
    return to;
  }

  public int toPort() {
    return toPort;
  }

  public Partitioning partitioning() {
    return partitioning;
  }

  /** How records cross this edge when it joins two vertices. */
  public RecordSerializer serializer() {
    return serializer;
  }

  public boolean isChained() {
    return from.vertex() == to.vertex();
  }

  @Override
  public String toString() {
    return from + ":" + fromPort + " -" + partitioning + "-> " + to + ":" + toPort;
  }
}
