package io.sluice.portability.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Security;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.github.jamm.MemoryMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java user code in a PROCESS environment: the harness that {@link JavaHarnessBoot} starts runs in
 * a process of its own, set up as Beam's SDK container is (what Beam's SdkHarnessEnvironmentTest
 * asks of a harness: the jamm agent, TLS 1.0 and 1.1 allowed, logging APIs bridged to
 * java.util.logging), with the job's staged jars. Each check runs in the harness and comes back as
 * an element; a failed check fails the job.
 */
class JavaProcessEnvironmentTest {

  @TempDir
  Path dir;

  @Test
  void userCodeRunsInAHarnessProcessSetUpAsBeamsContainer() throws Exception {
    // The harness's own class path: this module's and its dependencies, not the tests' classes,
    // which reach the harness only as the job's staged jars.
    String harnessClasspath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    Path command = dir.resolve("java-harness");
    Files.writeString(command, "#!/bin/sh\nexec '" + Paths.get(System.getProperty("java.home"), "bin", "java")
        + "' -Dsluice.harness.lib='" + System.getProperty("sluice.harness.lib") + "' -cp '"
        + harnessClasspath + "' " + JavaHarnessBoot.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner",
        "--defaultEnvironmentType=PROCESS", "--defaultEnvironmentConfig={\"command\": \"" + command + "\"}",
        "--jobName=process-environment").create());
    PCollection<String> checks = p.apply(Create.of("check")).apply(ParDo.of(new HarnessChecks(ProcessHandle.current().pid())));
    PAssert.that(checks).containsInAnyOrder("another process", "jamm measures", "TLSv1 and TLSv1.1 enabled",
        "slf4j to java.util.logging", "log4j, log4j2 and commons-logging bridged");
    p.run().waitUntilFinish();
  }

  /** Runs in the harness: each check that holds outputs its name, one that does not throws. */
  private static final class HarnessChecks extends DoFn<String, String> {
    private final long clientPid;

    HarnessChecks(long clientPid) {
      this.clientPid = clientPid;
    }

    @ProcessElement
    public void process(OutputReceiver<String> out) throws Exception {
      check(ProcessHandle.current().pid() != clientPid, "runs in the client's process");
      out.output("another process");
      check(MemoryMeter.builder().withGuessing(MemoryMeter.Guess.INSTRUMENTATION).build().measureDeep("jamm") > 0,
          "jamm measured nothing");
      out.output("jamm measures");
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, null, null);
      check(Arrays.asList(tls.getDefaultSSLParameters().getProtocols()).containsAll(Arrays.asList("TLSv1", "TLSv1.1"))
          && Security.getProperty("jdk.tls.legacyAlgorithms").contains("TLSv1.1"), "TLSv1 or TLSv1.1 disabled");
      out.output("TLSv1 and TLSv1.1 enabled");
      String factory = org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName();
      check(factory.contains("JDK14") || factory.contains("jul"), "slf4j logs through " + factory);
      out.output("slf4j to java.util.logging");
      Class.forName("org.apache.log4j.Logger");
      Class.forName("org.apache.logging.slf4j.SLF4JLoggerContextFactory");
      Class.forName("org.apache.commons.logging.LogFactory");
      out.output("log4j, log4j2 and commons-logging bridged");
    }

    private static void check(boolean holds, String otherwise) {
      if (!holds) {
        throw new AssertionError(otherwise);
      }
    }
  }
}
