package io.sluice.execution.cluster;

import io.sluice.execution.net.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The workers of a cluster as the coordinator sees them: registered, alive while they send
 * heartbeats, lost when their connection closes (at once) or when they are silent for the heartbeat
 * timeout (found by {@link #expireSilent}). Guarded by its own monitor: this is control-plane
 * traffic, a message a second per worker. Listeners are told outside the monitor.
 */
public final class WorkerRegistry {

  /** Told of every worker that joins or is lost, in that worker's order. */
  public interface Listener {
    void joined(WorkerInfo worker);

    void lost(WorkerInfo worker, String reason);
  }

  private static final class Entry {
    final WorkerInfo info;
    final Connection connection;
    /** When the worker was last heard from (System.nanoTime): derived, until it is lost. */
    long lastHeard;

    Entry(WorkerInfo info, Connection connection, long now) {
      this.info = info;
      this.connection = connection;
      this.lastHeard = now;
    }
  }

  private final long timeoutNanos;
  private final Listener listener;
  /** Live workers by id, in order of registration: derived (workers register again after a coordinator restart). */
  private final Map<String, Entry> workers = new LinkedHashMap<>();

  public WorkerRegistry(long timeoutMillis, Listener listener) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.listener = listener;
  }

  /** Adds a worker; false if a live worker has its id already. */
  boolean register(WorkerInfo info, Connection connection) {
    synchronized (this) {
      if (workers.containsKey(info.id())) {
        return false;
      }
      workers.put(info.id(), new Entry(info, connection, System.nanoTime()));
    }
    listener.joined(info);
    return true;
  }

  void heard(String id) {
    synchronized (this) {
      Entry e = workers.get(id);
      if (e != null) {
        e.lastHeard = System.nanoTime();
      }
    }
  }

  /** The worker's connection closed: it is lost, unless it was lost already. */
  void connectionClosed(String id, Connection connection) {
    Entry lost;
    synchronized (this) {
      Entry e = workers.get(id);
      if (e == null || e.connection != connection) {
        return;
      }
      lost = workers.remove(id);
    }
    listener.lost(lost.info, "its connection closed");
  }

  /** Loses every worker silent for longer than the timeout, closing its connection. */
  public void expireSilent() {
    List<Entry> lost = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (this) {
      workers.values().removeIf(e -> {
        if (now - e.lastHeard > timeoutNanos) {
          lost.add(e);
          return true;
        }
        return false;
      });
    }
    for (Entry e : lost) {
      e.connection.close();
      listener.lost(e.info, "no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(now - e.lastHeard) + " ms");
    }
  }

  /** The connection of a live worker; null if it is not live. */
  synchronized Connection connectionOf(String id) {
    Entry e = workers.get(id);
    return e == null ? null : e.connection;
  }

  public synchronized List<WorkerInfo> workers() {
    List<WorkerInfo> out = new ArrayList<>();
    for (Entry e : workers.values()) {
      out.add(e.info);
    }
    return out;
  }
}
