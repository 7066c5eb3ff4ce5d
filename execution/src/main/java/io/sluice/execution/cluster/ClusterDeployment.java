package io.sluice.execution.cluster;

import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.InputGate;
import io.sluice.execution.cluster.proto.DeployPart;
import io.sluice.execution.cluster.proto.VertexPlacement;
import io.sluice.execution.cluster.proto.WorkerAddress;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.net.ChannelMux;
import io.sluice.execution.runtime.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One worker's part of a job attempt, as the coordinator placed it: which subtasks run here, and
 * the channels to the others over the links to their workers. Every channel of the attempt has a
 * number both its ends compute alike from the graph: channel edges in the graph's order, then
 * producer, then consumer.
 */
final class ClusterDeployment implements Deployment {

  private final int attempt;
  private final String selfId;
  private final PeerLinks links;
  private final long linkTimeoutMillis;
  /** The worker of each subtask, by vertex. */
  private final Map<Vertex, String[]> placement = new IdentityHashMap<>();
  /** The number of each channel edge's first channel. */
  private final Map<Edge, Integer> firstChannel = new IdentityHashMap<>();
  private final Map<String, InetSocketAddress> addresses = new HashMap<>();
  /** The links this part's channels use: derived, released with the part. */
  private final Set<ChannelMux> used = ConcurrentHashMap.newKeySet();

  ClusterDeployment(DeployPart part, JobGraph graph, String selfId, PeerLinks links, long linkTimeoutMillis) {
    this.attempt = part.getAttempt();
    this.selfId = selfId;
    this.links = links;
    this.linkTimeoutMillis = linkTimeoutMillis;
    if (part.getPlacementCount() != graph.vertices().size()) {
      throw new IllegalArgumentException("a placement of " + part.getPlacementCount() + " vertices for a graph of "
          + graph.vertices().size());
    }
    for (int v = 0; v < graph.vertices().size(); v++) {
      Vertex vertex = graph.vertices().get(v);
      VertexPlacement p = part.getPlacement(v);
      if (p.getWorkerIdCount() != vertex.parallelism()) {
        throw new IllegalArgumentException("vertex " + vertex.name() + " has " + vertex.parallelism()
            + " subtasks, placed " + p.getWorkerIdCount());
      }
      placement.put(vertex, p.getWorkerIdList().toArray(new String[0]));
    }
    int next = 0;
    for (Edge e : graph.edges()) {
      if (!e.isChained()) {
        firstChannel.put(e, next);
        next += e.from().vertex().parallelism() * e.to().vertex().parallelism();
      }
    }
    for (WorkerAddress w : part.getWorkersList()) {
      addresses.put(w.getWorkerId(), new InetSocketAddress(w.getDataHost(), w.getDataPort()));
    }
  }

  @Override
  public boolean runsHere(Vertex vertex, int subtask) {
    return placement.get(vertex)[subtask].equals(selfId);
  }

  /** Whether any subtask of the attempt runs on {@code worker}. */
  boolean involves(String worker) {
    for (String[] workers : placement.values()) {
      for (String w : workers) {
        if (w.equals(worker)) {
          return true;
        }
      }
    }
    return false;
  }

  private long channelId(Edge edge, int producer, int consumer) {
    return ChannelMux.channelId(attempt, firstChannel.get(edge) + producer * edge.to().vertex().parallelism() + consumer);
  }

  private ChannelMux linkTo(String worker) throws InterruptedException {
    InetSocketAddress address = addresses.get(worker);
    if (address == null) {
      throw new IllegalArgumentException("no address for worker " + worker);
    }
    try {
      ChannelMux mux = links.link(worker, address, linkTimeoutMillis);
      used.add(mux);
      return mux;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ChannelSender remoteSender(Edge edge, int producer, int consumer) throws InterruptedException {
    return linkTo(placement.get(edge.to().vertex())[consumer]).sender(channelId(edge, producer, consumer));
  }

  @Override
  public ChannelReceiver remoteReceiver(Edge edge, int producer, int consumer, InputGate gate, int capacity)
      throws InterruptedException {
    return linkTo(placement.get(edge.from().vertex())[producer]).receiver(channelId(edge, producer, consumer), gate,
        capacity);
  }

  /** The part has ended: its channels are gone on every link it used. */
  void release() {
    for (ChannelMux mux : used) {
      mux.release(attempt);
    }
  }
}
