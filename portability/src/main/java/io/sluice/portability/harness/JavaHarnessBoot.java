package io.sluice.portability.harness;

import io.sluice.portability.Flags;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.fnexecution.v1.ProvisionApi;
import org.apache.beam.model.fnexecution.v1.ProvisionServiceGrpc;
import org.apache.beam.model.jobmanagement.v1.ArtifactApi;
import org.apache.beam.model.jobmanagement.v1.ArtifactRetrievalServiceGrpc;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.fn.channel.AddHarnessIdInterceptor;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.TextFormat;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ClientInterceptors;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java SDK harness in a process of its own: what a PROCESS environment's command runs
 * ({@code bin/sluice-java-harness}), as Beam's SDK container boots its harness. Given the worker id
 * and the provisioning endpoint, it asks for the job's options and endpoints, fetches the job's
 * staged jars, and starts Beam's FnHarness in a JVM set up as the container's is: the jamm agent
 * (the harness's state cache sizes objects with it), TLS 1.0 and 1.1 allowed again for user code
 * that talks to old servers, and every logging API bridged to java.util.logging, which the harness
 * ships to the runner. It waits for that JVM and exits with its code; stopping it stops the harness.
 *
 * <p>Where the harness's own jars are: this process's class path, without its log binding, and the
 * logging bridges in the directory named by {@code -Dsluice.harness.lib}.
 */
public final class JavaHarnessBoot {

  private static final Logger LOG = LoggerFactory.getLogger(JavaHarnessBoot.class);

  private static final String FILE_ARTIFACT = BeamUrns.getUrn(RunnerApi.StandardArtifacts.Types.FILE);
  private static final String STAGING_TO = BeamUrns.getUrn(RunnerApi.StandardArtifacts.Roles.STAGING_TO);
  /** TLS 1.0 and 1.1 taken off Java 17's disabled list, and kept as legacy (last resort) protocols. */
  private static final String SECURITY = String.join("\n",
      "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC,"
          + " anon, NULL",
      "jdk.tls.legacyAlgorithms=K_NULL, C_NULL, M_NULL, DH_anon, ECDH_anon, RC4_128, RC4_40, DES_CBC, DES40_CBC,"
          + " 3DES_EDE_CBC, TLSv1, TLSv1.1", "");
  /** What jamm reaches into when it measures, as Beam's container opens it on Java 17. */
  private static final List<String> OPENS = List.of("java.base/java.lang", "java.base/java.util",
      "java.base/java.nio", "java.base/java.io", "java.base/java.util.concurrent",
      "java.base/java.util.concurrent.atomic", "java.base/java.lang.invoke", "java.base/java.time",
      "java.base/java.math", "java.base/java.net", "java.base/sun.nio.ch", "java.base/jdk.internal.misc");

  private JavaHarnessBoot() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = Flags.parse(args);
    String id = require(flags, "id");
    String provisioning = require(flags, "provision_endpoint");
    Path work = flags.containsKey("semi_persist_dir")
        ? Files.createDirectories(Paths.get(flags.get("semi_persist_dir")))
        : Files.createTempDirectory("sluice-java-harness-");
    ProvisionApi.ProvisionInfo info = provision(id, provisioning);
    List<Path> staged = fetchArtifacts(id, info, Files.createDirectories(work.resolve("staged")));
    Process harness = launch(id, info, staged, work);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      harness.destroy();
      try {
        if (!harness.waitFor(10, TimeUnit.SECONDS)) {
          harness.destroyForcibly();
        }
      } catch (InterruptedException e) {
        harness.destroyForcibly();
      }
    }, "sluice-java-harness-stop"));
    System.exit(harness.waitFor());
  }

  private static String require(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required (a PROCESS environment's runner passes it)");
    }
    return value;
  }

  private static ManagedChannel channel(String endpoint) {
    return ManagedChannelBuilder.forTarget(endpoint).usePlaintext().maxInboundMessageSize(Integer.MAX_VALUE).build();
  }

  private static ProvisionApi.ProvisionInfo provision(String id, String endpoint) {
    ManagedChannel channel = channel(endpoint);
    try {
      return ProvisionServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel, AddHarnessIdInterceptor.create(id)))
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .getProvisionInfo(ProvisionApi.GetProvisionInfoRequest.getDefaultInstance()).getInfo();
    } finally {
      channel.shutdownNow();
    }
  }

  /** The job's dependencies as files in {@code dir}, in the order given (the class path's). */
  private static List<Path> fetchArtifacts(String id, ProvisionApi.ProvisionInfo info, Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (info.getDependenciesCount() == 0) {
      return files;
    }
    ManagedChannel channel = channel(info.getArtifactEndpoint().getUrl());
    try {
      ArtifactRetrievalServiceGrpc.ArtifactRetrievalServiceBlockingStub retrieval =
          ArtifactRetrievalServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel,
              AddHarnessIdInterceptor.create(id)));
      int n = 0;
      for (RunnerApi.ArtifactInformation artifact : info.getDependenciesList()) {
        String name = STAGING_TO.equals(artifact.getRoleUrn())
            ? RunnerApi.ArtifactStagingToRolePayload.parseFrom(artifact.getRolePayload()).getStagedName()
            : "artifact-" + n + (FILE_ARTIFACT.equals(artifact.getTypeUrn()) ? ".jar" : "");
        Path file = dir.resolve(Paths.get(name).getFileName().toString());
        Iterator<ArtifactApi.GetArtifactResponse> chunks = retrieval.withDeadlineAfter(10, TimeUnit.MINUTES)
            .getArtifact(ArtifactApi.GetArtifactRequest.newBuilder().setArtifact(artifact).build());
        try (OutputStream out = Files.newOutputStream(file)) {
          while (chunks.hasNext()) {
            chunks.next().getData().writeTo(out);
          }
        }
        files.add(file);
        n++;
      }
    } finally {
      channel.shutdownNow();
    }
    LOG.info("Worker {}: fetched {} staged files into {}", id, files.size(), dir);
    return files;
  }

  private static Process launch(String id, ProvisionApi.ProvisionInfo info, List<Path> staged, Path work)
      throws IOException {
    List<String> classpath = new ArrayList<>();
    String jamm = null;
    String lib = System.getProperty("sluice.harness.lib");
    if (lib != null) {
      try (var bridges = Files.list(Paths.get(lib))) {
        bridges.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> classpath.add(p.toString()));
      }
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Paths.get(entry).getFileName().toString();
      if (name.startsWith("jamm-")) {
        jamm = entry;
      }
      // The harness logs through java.util.logging: another binding would take its place.
      if (!name.startsWith("slf4j-simple") && !name.startsWith("logback-")) {
        classpath.add(entry);
      }
    }
    for (Path file : staged) {
      if (file.toString().endsWith(".jar")) {
        classpath.add(file.toString());
      }
    }
    Path security = Files.writeString(work.resolve("java.security"), SECURITY, StandardCharsets.UTF_8);
    Path options = Files.writeString(work.resolve("pipeline_options.json"),
        PipelineOptionsTranslation.toJson(PipelineOptionsTranslation.fromProto(info.getPipelineOptions())),
        StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    if (jamm != null) {
      command.add("-javaagent:" + jamm);
    }
    for (String open : OPENS) {
      command.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    command.addAll(List.of("-Djava.security.properties=" + security,
        "-cp", String.join(File.pathSeparator, classpath), "org.apache.beam.fn.harness.FnHarness"));
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    Map<String, String> env = builder.environment();
    env.put("HARNESS_ID", id);
    env.put("PIPELINE_OPTIONS_FILE", options.toString());
    env.put("PIPELINE_OPTIONS", "{}");
    env.put("LOGGING_API_SERVICE_DESCRIPTOR", TextFormat.printer().printToString(info.getLoggingEndpoint()));
    env.put("CONTROL_API_SERVICE_DESCRIPTOR", TextFormat.printer().printToString(info.getControlEndpoint()));
    env.put("RUNNER_CAPABILITIES", String.join(" ", info.getRunnerCapabilitiesList()));
    LOG.info("Worker {}: starting the Java SDK harness ({} jars staged, jamm {})", id, staged.size(),
        jamm == null ? "not found" : "as agent");
    return builder.start();
  }
}
