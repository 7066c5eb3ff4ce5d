package io.sluice.portability.jobservice;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobMessage;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobState;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobStateEvent;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Timestamp;

/**
 * One job the service runs: its states and messages so far, replayed to every listener that comes
 * later, and its metrics once it has some. A failed job's last message is its error (the root
 * cause's text), sent before the FAILED state: clients report the last error message they saw.
 *
 * <p>Durable for the service's life (history); everything is guarded by this object's lock, and
 * listeners are called under it, in order.
 */
final class JobInvocation {

  /** Something watching the job: states and messages, in the order they happened. */
  interface Listener {
    void state(JobStateEvent event);

    void message(JobMessage message);
  }

  private final String id;
  private final String name;
  private final RunnerApi.Pipeline pipeline;
  private final List<JobStateEvent> states = new ArrayList<>();
  private final List<JobMessage> messages = new ArrayList<>();
  private final List<Listener> listeners = new ArrayList<>();
  /** Reads the running job's metrics; none before it runs. */
  private Supplier<List<MonitoringInfo>> metrics =
      List::of;
  /** Cancels the running job; null before it runs and after it ends. */
  private Runnable cancel;

  JobInvocation(String id, String name, RunnerApi.Pipeline pipeline) {
    this.id = id;
    this.name = name;
    this.pipeline = pipeline;
    states.add(event(JobState.Enum.STOPPED));
  }

  String id() {
    return id;
  }

  String name() {
    return name;
  }

  RunnerApi.Pipeline pipeline() {
    return pipeline;
  }

  synchronized JobStateEvent state() {
    return states.get(states.size() - 1);
  }

  synchronized boolean isTerminal() {
    return isTerminal(state().getState());
  }

  static boolean isTerminal(JobState.Enum state) {
    return state == JobState.Enum.DONE || state == JobState.Enum.FAILED || state == JobState.Enum.CANCELLED
        || state == JobState.Enum.DRAINED;
  }

  synchronized void setState(JobState.Enum state) {
    if (isTerminal()) {
      return;
    }
    JobStateEvent event = event(state);
    states.add(event);
    for (Listener l : List.copyOf(listeners)) {
      l.state(event);
    }
    if (isTerminal(state)) {
      cancel = null;
      listeners.clear();
    }
  }

  synchronized void message(JobMessage.MessageImportance importance, String text) {
    JobMessage message = JobMessage.newBuilder().setMessageId(id + "-" + messages.size())
        .setTime(Long.toString(System.currentTimeMillis())).setImportance(importance).setMessageText(text).build();
    messages.add(message);
    for (Listener l : List.copyOf(listeners)) {
      l.message(message);
    }
  }

  /** The job failed with {@code error}: its text as the last message, then FAILED. */
  synchronized void failed(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    message(JobMessage.MessageImportance.JOB_MESSAGE_DEBUG, stackTrace(error));
    message(JobMessage.MessageImportance.JOB_MESSAGE_ERROR, root.toString());
    setState(JobState.Enum.FAILED);
  }

  /**
   * Adds a listener after replaying to it what happened so far (messages first, then states, so a
   * terminal state comes after every message). A terminal job replays and forgets it.
   */
  synchronized void listen(Listener listener, Consumer<Listener> onTerminal) {
    messages.forEach(listener::message);
    states.forEach(listener::state);
    if (isTerminal()) {
      onTerminal.accept(listener);
    } else {
      listeners.add(listener);
    }
  }

  synchronized void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  synchronized void setCancel(Runnable cancel) {
    this.cancel = cancel;
  }

  /** Asks the running job to stop; a job not yet running ends cancelled at once. */
  void cancel() {
    Runnable c;
    synchronized (this) {
      if (isTerminal()) {
        return;
      }
      c = cancel;
      if (c == null) {
        setState(JobState.Enum.CANCELLED);
        return;
      }
      setState(JobState.Enum.CANCELLING);
    }
    c.run();
  }

  /** The job's metrics so far: a completed bundle's count as attempted and committed alike. */
  JobApi.MetricResults metrics() {
    Supplier<List<MonitoringInfo>> source;
    synchronized (this) {
      source = metrics;
    }
    List<MonitoringInfo> infos = source.get();
    return JobApi.MetricResults.newBuilder().addAllAttempted(infos).addAllCommitted(infos).build();
  }

  synchronized void setMetrics(
      Supplier<List<MonitoringInfo>> metrics) {
    this.metrics = metrics;
  }

  private static JobStateEvent event(JobState.Enum state) {
    long now = System.currentTimeMillis();
    return JobStateEvent.newBuilder().setState(state)
        .setTimestamp(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000)).build();
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
