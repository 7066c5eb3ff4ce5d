package io.sluice.execution.runtime;

import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.InputGate;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.Vertex;

/**
 * Which subtasks of a job this process runs, and how its channels reach the subtasks another
 * process runs. Channels between two subtasks of this process are always in memory; only the ends
 * of channels that cross processes come from here.
 */
public interface Deployment {

  /** Every subtask runs in this process: the embedded engine. */
  Deployment EMBEDDED = new Deployment() {
    @Override
    public boolean runsHere(Vertex vertex, int subtask) {
      return true;
    }

    @Override
    public ChannelSender remoteSender(Edge edge, int producer, int consumer) {
      throw new IllegalStateException("an embedded job has no remote channels");
    }

    @Override
    public ChannelReceiver remoteReceiver(Edge edge, int producer, int consumer, InputGate gate, int capacity) {
      throw new IllegalStateException("an embedded job has no remote channels");
    }
  };

  boolean runsHere(Vertex vertex, int subtask);

  /** The sending end of the channel from local subtask {@code producer} to remote subtask {@code consumer}. */
  ChannelSender remoteSender(Edge edge, int producer, int consumer) throws InterruptedException;

  /**
   * The receiving end of the channel from remote subtask {@code producer} to local subtask {@code
   * consumer}: it tells {@code gate} of its frames and holds at most {@code capacity} of them.
   */
  ChannelReceiver remoteReceiver(Edge edge, int producer, int consumer, InputGate gate, int capacity)
      throws InterruptedException;
}
