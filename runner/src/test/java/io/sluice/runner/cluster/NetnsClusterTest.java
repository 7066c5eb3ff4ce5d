package io.sluice.runner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.execution.net.SharedSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts with their own addresses on one machine: a coordinator and two workers, each in a network
 * namespace of its own joined by veth pairs to a bridge, bound to their namespace's address and
 * advertising it; the client submits from the host. Needs root and {@code ip}; skipped otherwise,
 * unless {@code SLUICE_REQUIRE_NETNS} is set (CI sets it), when it must run.
 */
class NetnsClusterTest {

  private static final String NET = "10.199." + (ProcessHandle.current().pid() % 200 + 20) + ".";

  @TempDir
  Path temp;

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  private static boolean canRun() {
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && "root".equals(System.getProperty("user.name"));
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void aJobRunsOnACoordinatorAndWorkersEachWithItsOwnAddress() throws Exception {
    boolean required = System.getenv("SLUICE_REQUIRE_NETNS") != null;
    if (!required) {
      assumeTrue(canRun(), "needs root and ip netns");
    }
    String tag = "sl" + (ProcessHandle.current().pid() % 10000);
    String bridge = tag + "br";
    List<String> namespaces = List.of(tag + "c", tag + "w0", tag + "w1");
    List<Process> processes = new ArrayList<>();
    try {
      ip("link", "add", bridge, "type", "bridge");
      ip("addr", "add", NET + "254/24", "dev", bridge);
      ip("link", "set", bridge, "up");
      for (int i = 0; i < namespaces.size(); i++) {
        String ns = namespaces.get(i);
        ip("netns", "add", ns);
        ip("link", "add", ns + "h", "type", "veth", "peer", "name", ns + "n");
        ip("link", "set", ns + "n", "netns", ns);
        ip("netns", "exec", ns, "ip", "addr", "add", NET + (i + 1) + "/24", "dev", ns + "n");
        ip("netns", "exec", ns, "ip", "link", "set", ns + "n", "up");
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        ip("link", "set", ns + "h", "master", bridge);
        ip("link", "set", ns + "h", "up");
      }
      SharedSecret secret = SharedSecret.random();
      Path secretFile = ClusterSecrets.writeSecretFile(Files.createDirectories(temp.resolve("cluster")), secret);
      String coordinator = NET + "1:7480";
      processes.add(launch(namespaces.get(0), "coordinator", List.of("coordinator", "--port=7480",
          "--bindAddress=" + NET + "1", "--statusPort=-1", "--secretFile=" + secretFile,
          "--workDir=" + temp.resolve("c"), "--portFile=" + temp.resolve("c.port"))));
      awaitFile(temp.resolve("c.port"), processes.get(0), "coordinator");
      for (int w = 0; w < 2; w++) {
        String address = NET + (w + 2);
        processes.add(launch(namespaces.get(w + 1), "worker-" + w, List.of("worker", "--coordinator=" + coordinator,
            "--slots=2", "--id=w" + w, "--bindAddress=" + address, "--advertisedHost=" + address,
            "--secretFile=" + secretFile, "--workDir=" + temp.resolve("w" + w),
            "--readyFile=" + temp.resolve("w" + w + ".ready"))));
      }
      for (int w = 0; w < 2; w++) {
        awaitFile(temp.resolve("w" + w + ".ready"), processes.get(w + 1), "worker-" + w);
      }
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2",
          "--coordinator=" + coordinator, "--clusterSecretFile=" + secretFile).create());
      List<KV<String, Long>> input = new ArrayList<>();
      for (long i = 0; i < 1000; i++) {
        input.add(KV.of("k" + (i % 10), i));
      }
      List<KV<String, Long>> expected = new ArrayList<>();
      for (int k = 0; k < 10; k++) {
        long sum = 0;
        for (long i = k; i < 1000; i += 10) {
          sum += i;
        }
        expected.add(KV.of("k" + k, sum));
      }
      PAssert.that(p.apply(Create.of(input)).apply(Sum.longsPerKey())).containsInAnyOrder(expected);
      assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
      String coordinatorLog = log("coordinator");
      for (int w = 0; w < 2; w++) {
        String joined = "Worker w" + w + " (2 slots, data at " + NET + (w + 2) + ":";
        assertEquals(true, coordinatorLog.contains(joined), "worker " + w + " joined from its own address: "
            + coordinatorLog);
      }
    } finally {
      for (Process process : processes) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (String ns : namespaces) {
        try {
          ip("netns", "del", ns);
        } catch (IOException e) {
          // Not made.
        }
      }
      try {
        ip("link", "del", bridge);
      } catch (IOException e) {
        // Not made.
      }
    }
  }

  private void awaitFile(Path file, Process process, String name) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!Files.exists(file)) {
      if (System.currentTimeMillis() > deadline || !process.isAlive()) {
        throw new AssertionError(name + " is not up: " + log(name));
      }
      Thread.sleep(50);
    }
  }

  private Process launch(String namespace, String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), SluiceMain.class.getName()));
    command.addAll(args);
    command.add("--parentPid=" + ProcessHandle.current().pid());
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile())
        .start();
  }

  private String log(String name) throws IOException {
    Path log = temp.resolve(name + ".log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }
}
