package io.sluice.translation;

import io.sluice.execution.channel.RecordSerializer;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.records.WindowedValueSerializer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.PCollection;

/**
 * The job graph under construction and where each PCollection comes from. It owns fusion: an
 * operator joins the vertex of its forward input unless that would need a non-forward edge inside
 * a vertex or a cycle between vertices; otherwise it starts a vertex of its own.
 */
public final class TranslationContext {

  /**
   * An operator's output port: where a PCollection's elements come out, and how they travel when
   * they leave the vertex (the PCollection's coder, unless the port emits something else).
   */
  public static final class Port {
    final OperatorNode node;
    final int port;
    final RecordSerializer serializer;

    Port(OperatorNode node, int port, RecordSerializer serializer) {
      this.node = node;
      this.port = port;
      this.serializer = serializer;
    }

    public OperatorNode node() {
      return node;
    }

    public int port() {
      return port;
    }
  }

  /** One input of an operator being added: where it comes from, how it is distributed and serialized. */
  public static final class Input {
    final Port from;
    final int toPort;
    final Partitioning partitioning;
    final RecordSerializer serializer;

    /** Records travel as their port serializes them. */
    public Input(Port from, int toPort, Partitioning partitioning) {
      this(from, toPort, partitioning, from.serializer);
    }

    /** Records travel as {@code serializer} has them: the consumer asks for its own encoding. */
    public Input(Port from, int toPort, Partitioning partitioning, RecordSerializer serializer) {
      this.from = from;
      this.toPort = toPort;
      this.partitioning = partitioning;
      this.serializer = java.util.Objects.requireNonNull(serializer, "serializer");
    }
  }

  private final JobGraph graph;
  private final TranslationSettings settings;
  /** The job's metrics: translation reports into them (a source's split, say); operators take them at open. */
  private final JobMetrics metrics = new JobMetrics();
  /** The options as operators receive them: serialized once, shipped with the graph. */
  private final SerializablePipelineOptions shippedOptions;
  /** Where each collection comes out, by PCollection (a Java pipeline) or by id (a pipeline proto). */
  private final Map<Object, Port> producers = new HashMap<>();

  /** A context for a translation that keeps its own table of transforms (a pipeline proto's). */
  public static TranslationContext forJob(String jobName, TranslationSettings settings) {
    return new TranslationContext(jobName, settings);
  }

  TranslationContext(String jobName, TranslationSettings settings) {
    this.graph = new JobGraph(jobName);
    this.settings = settings;
    this.shippedOptions = new SerializablePipelineOptions(settings.options());
  }

  public JobGraph graph() {
    return graph;
  }

  /** The job's metrics, for translation itself; an operator takes them from {@code OperatorContext.jobResource}. */
  public JobMetrics metrics() {
    return metrics;
  }

  /** The options, for translation itself (splitting sources, say). */
  public PipelineOptions options() {
    return settings.options();
  }

  /**
   * The options for an operator factory to capture: they travel with the job graph. A factory
   * captures nothing of this context itself, nor anything the runner keeps (the job's metrics come
   * from {@code OperatorContext.jobResource}).
   */
  public SerializablePipelineOptions shippedOptions() {
    return shippedOptions;
  }

  public TranslationSettings settings() {
    return settings;
  }

  public Port producerOf(PCollection<?> pc) {
    Port p = producers.get(pc);
    if (p == null) {
      throw new IllegalStateException("no producer translated yet for " + pc.getName());
    }
    return p;
  }

  /** The producer of the collection with id {@code pcollectionId} in a pipeline proto. */
  public Port producerOf(String pcollectionId) {
    Port p = producers.get(pcollectionId);
    if (p == null) {
      throw new IllegalStateException("no producer translated yet for " + pcollectionId);
    }
    return p;
  }

  /** Makes the collection with id {@code pcollectionId} in a pipeline proto come out of {@code port}. */
  public void setProducer(String pcollectionId, Port port) {
    producers.put(pcollectionId, port);
  }

  public void setProducer(PCollection<?> pc, OperatorNode node, int port) {
    producers.put(pc, new Port(node, port, WindowedValueSerializer.of(pc)));
  }

  /** Makes {@code pc} come out of {@code port}, serialized as the port says. */
  public void setProducer(PCollection<?> pc, Port port) {
    producers.put(pc, port);
  }

  /** Output port {@code port} of {@code node}, whose records travel by {@code serializer}. */
  public Port portOf(OperatorNode node, int port, RecordSerializer serializer) {
    return new Port(node, port, serializer);
  }

  /** Makes {@code pc} come from wherever {@code same} comes from (a transform that changes nothing). */
  public void alias(PCollection<?> pc, PCollection<?> same) {
    producers.put(pc, producerOf(same));
  }

  /** Adds an operator with no inputs in a vertex of its own. */
  public OperatorNode addSource(String name, OperatorFactory factory) {
    return graph.addVertex(name, settings.parallelism()).add(name, factory);
  }

  /** Adds an operator fed by {@code inputs}, fused into its first forward input's vertex when possible. */
  public OperatorNode addOperator(String name, OperatorFactory factory, List<Input> inputs) {
    Vertex vertex = fusionTarget(inputs);
    if (vertex == null) {
      vertex = graph.addVertex(name, settings.parallelism());
    }
    OperatorNode node = vertex.add(name, factory);
    for (Input in : inputs) {
      graph.connect(in.from.node, in.from.port, node, in.toPort, in.partitioning, in.serializer);
    }
    return node;
  }

  private Vertex fusionTarget(List<Input> inputs) {
    Vertex candidate = null;
    for (Input in : inputs) {
      if (in.partitioning.kind() == Partitioning.Kind.FORWARD) {
        candidate = in.from.node.vertex();
        break;
      }
    }
    if (candidate == null) {
      return null;
    }
    for (Input in : inputs) {
      Vertex from = in.from.node.vertex();
      if (from == candidate) {
        if (in.partitioning.kind() != Partitioning.Kind.FORWARD) {
          return null;
        }
      } else if (reaches(candidate, from)) {
        return null;
      }
    }
    return candidate;
  }

  private boolean reaches(Vertex from, Vertex to) {
    Deque<Vertex> pending = new ArrayDeque<>();
    Set<Vertex> seen = new HashSet<>();
    pending.add(from);
    while (!pending.isEmpty()) {
      Vertex v = pending.poll();
      if (v == to) {
        return true;
      }
      if (seen.add(v)) {
        for (Edge e : graph.outgoingChannels(v)) {
          pending.add(e.to().vertex());
        }
      }
    }
    return false;
  }
}
