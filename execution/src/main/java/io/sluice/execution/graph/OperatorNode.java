package io.sluice.execution.graph;

import io.sluice.execution.operator.OperatorFactory;
import java.io.Serializable;

/** An operator placed in a vertex; its index orders the vertex's chain (producers before consumers). */
public final class OperatorNode implements Serializable {

  private final Vertex vertex;
  private final int index;
  private final String name;
  private final OperatorFactory factory;

  OperatorNode(Vertex vertex, int index, String name, OperatorFactory factory) {
    this.vertex = vertex;
    this.index = index;
    this.name = name;
    this.factory = factory;
  }

  public Vertex vertex() {
    return vertex;
  }

  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  public OperatorFactory factory() {
    return factory;
  }

  @Override
  public String toString() {
    return vertex.name() + "/" + name;
  }
}
