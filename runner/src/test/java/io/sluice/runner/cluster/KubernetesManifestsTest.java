package io.sluice.runner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests of the distribution parse, and agree with it and with themselves: every
 * container's arguments are flags its command takes (parsed as {@code bin/sluice} parses them),
 * the workers reach the coordinator's Service on its port, their data port is their Service's,
 * every process listens beyond loopback, takes the secret from the Kubernetes Secret, and mounts the
 * one checkpoint volume at the same path.
 */
class KubernetesManifestsTest {

  private static final Path MANIFESTS = Path.of("src/dist/kubernetes/sluice.json");

  private static Map<String, String> flags(JsonNode container) {
    Map<String, String> flags = new HashMap<>();
    JsonNode args = container.get("args");
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i).asText();
      flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return flags;
  }

  private static String[] args(JsonNode container) {
    List<String> args = new ArrayList<>();
    container.get("args").forEach(a -> args.add(a.asText()));
    return args.toArray(new String[0]);
  }

  @Test
  void theManifestsAgreeWithTheDistributionsFlagsAndWithEachOther() throws Exception {
    JsonNode list = new ObjectMapper().readTree(MANIFESTS.toFile());
    Map<String, JsonNode> byKindAndName = new HashMap<>();
    for (JsonNode item : list.get("items")) {
      byKindAndName.put(item.get("kind").asText() + "/" + item.get("metadata").get("name").asText(), item);
    }
    JsonNode coordinator = byKindAndName.get("Deployment/sluice-coordinator");
    JsonNode workers = byKindAndName.get("StatefulSet/sluice-worker");
    JsonNode coordinatorService = byKindAndName.get("Service/sluice-coordinator");
    JsonNode workerService = byKindAndName.get("Service/sluice-worker");
    JsonNode claim = byKindAndName.get("PersistentVolumeClaim/sluice-checkpoints");
    for (JsonNode n : new JsonNode[] {coordinator, workers, coordinatorService, workerService, claim}) {
      assertNotNull(n, "every part is there: " + byKindAndName.keySet());
    }
    JsonNode c = coordinator.at("/spec/template/spec/containers/0");
    JsonNode w = workers.at("/spec/template/spec/containers/0");
    assertEquals("coordinator", c.at("/args/0").asText());
    assertEquals("worker", w.at("/args/0").asText());
    // Parsed as bin/sluice parses them: an unknown flag or a bad value fails here.
    ClusterFlags cf = ClusterFlags.parse("coordinator", args(c), 1, SluiceMain.COORDINATOR_FLAGS);
    ClusterFlags wf = ClusterFlags.parse("worker", args(w), 1, SluiceMain.WORKER_FLAGS);

    int port = cf.integer("port", SluiceMain.DEFAULT_PORT, 1);
    assertEquals(port, c.at("/ports/0/containerPort").asInt());
    assertEquals(port, coordinatorService.at("/spec/ports/0/port").asInt());
    assertEquals(port, coordinatorService.at("/spec/ports/0/targetPort").asInt());
    assertEquals(coordinator.at("/spec/template/metadata/labels"), coordinatorService.at("/spec/selector"));

    assertEquals(coordinatorService.at("/metadata/name").asText() + ":" + port, wf.required("coordinator"));
    int dataPort = wf.integer("dataPort", 0, 1);
    assertEquals(dataPort, w.at("/ports/0/containerPort").asInt());
    assertEquals(dataPort, workerService.at("/spec/ports/0/port").asInt());
    assertEquals("None", workerService.at("/spec/clusterIP").asText(), "workers are reached pod by pod");
    assertEquals(workerService.at("/metadata/name").asText(), workers.at("/spec/serviceName").asText());
    assertEquals(workers.at("/spec/template/metadata/labels"), workerService.at("/spec/selector"));
    assertTrue(flags(w).get("advertisedHost").startsWith("$("), "workers advertise their pod's address");
    assertTrue(flags(w).get("id").startsWith("$("), "a worker's id is its pod's name");

    for (JsonNode container : List.of(c, w)) {
      String name = container.get("name").asText();
      assertEquals("0.0.0.0", flags(container).get("bindAddress"), name + " listens beyond loopback in its pod");
      JsonNode secret = null;
      for (JsonNode env : container.get("env")) {
        if (env.get("name").asText().equals(ClusterSecrets.ENVIRONMENT)) {
          secret = env.at("/valueFrom/secretKeyRef");
        }
        if (env.has("valueFrom") && env.at("/valueFrom/fieldRef").isObject()) {
          String var = "$(" + env.get("name").asText() + ")";
          assertTrue(flags(container).containsValue(var), name + " uses " + var);
        }
      }
      assertNotNull(secret, name + " takes the secret from the Kubernetes Secret");
      assertEquals("sluice-secret", secret.get("name").asText());
      assertEquals("/checkpoints", container.at("/volumeMounts/0/mountPath").asText());
    }
    for (JsonNode pods : List.of(coordinator, workers)) {
      assertEquals(claim.at("/metadata/name").asText(),
          pods.at("/spec/template/spec/volumes/0/persistentVolumeClaim/claimName").asText(),
          "one checkpoint volume that the coordinator and every worker reach");
    }
    assertEquals("ReadWriteMany", claim.at("/spec/accessModes/0").asText());
  }
}
