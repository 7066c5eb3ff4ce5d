package io.sluice.execution.graph;

import io.sluice.execution.operator.OperatorFactory;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A fused chain of operators that runs as {@code parallelism} subtasks. Operators of one vertex
 * call each other directly: no queue, no serialization. Operators must be added producers first.
 */
public final class Vertex implements Serializable {

  private final int id;
  private final String name;
  private int parallelism;
  private final List<OperatorNode> operators = new ArrayList<>();

  Vertex(int id, String name, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism of " + name + " must be >= 1: " + parallelism);
    }
    this.id = id;
    this.name = name;
    this.parallelism = parallelism;
  }

  public OperatorNode add(String operatorName, OperatorFactory factory) {
    OperatorNode node = new OperatorNode(this, operators.size(), operatorName, factory);
    operators.add(node);
    return node;
  }

  public int id() {
    return id;
  }

  public String name() {
    return name;
  }

  public int parallelism() {
    return parallelism;
  }

  public void setParallelism(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism of " + name + " must be >= 1: " + parallelism);
    }
    this.parallelism = parallelism;
  }

  public List<OperatorNode> operators() {
    return Collections.unmodifiableList(operators);
  }

  @Override
  public String toString() {
    return name + "[" + parallelism + "]";
  }
}
