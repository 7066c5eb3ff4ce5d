package io.sluice.execution.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.execution.runtime.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's status over HTTP, as JSON, read-only: {@code /jobs} (each job's state,
 * attempt, parts, vertices with each subtask's worker and records received, checkpoints), {@code
 * /workers} (id, slots, data address). It serves no secret and takes no command, and binds to
 * loopback unless told otherwise: the base of a dashboard.
 */
final class StatusServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

  private final HttpServer server;

  private StatusServer(HttpServer server) {
    this.server = server;
  }

  static StatusServer start(String address, int port, JobTable jobs, WorkerRegistry workers) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(DaemonThreads.named("sluice-coordinator-status")));
    server.createContext("/jobs", exchange -> respond(exchange, () -> {
      StringBuilder json = new StringBuilder("[");
      List<ClusterJob> all = jobs.jobs();
      for (int i = 0; i < all.size(); i++) {
        json.append(i == 0 ? "" : ",").append(jobs.statusOf(all.get(i)));
      }
      return json.append(']').toString();
    }));
    server.createContext("/workers", exchange -> respond(exchange, () -> {
      StringBuilder json = new StringBuilder("[");
      List<WorkerInfo> all = workers.workers();
      for (int i = 0; i < all.size(); i++) {
        WorkerInfo w = all.get(i);
        json.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.string(w.id())).append(",\"slots\":")
            .append(w.slots()).append(",\"slotsUsed\":").append(jobs.slotsUsed(w.id())).append(",\"data\":")
            .append(Json.string(w.dataHost() + ":" + w.dataPort())).append('}');
      }
      return json.append(']').toString();
    }));
    server.start();
    LOG.info("Status over HTTP at http://{}:{}/jobs", address, server.getAddress().getPort());
    return new StatusServer(server);
  }

  private static void respond(HttpExchange exchange, Supplier<String> body) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (RuntimeException e) {
      LOG.warn("The status page failed", e);
    }
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
