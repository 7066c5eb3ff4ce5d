package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.expansion.service.ExpansionServer;
import org.apache.beam.sdk.expansion.service.ExpansionService;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Beam's ValidatesRunner suite against SluiceRunner and fails if any non-excluded test fails.
 * Configured by system properties, see {@link HarnessSettings}; the report lands in
 * target/vr-report-&lt;mode&gt;.md.
 */
class ValidatesRunnerSuiteTest {

  private static final Logger LOG = LoggerFactory.getLogger(ValidatesRunnerSuiteTest.class);
  private static final int FAILURES_IN_ASSERTION_MESSAGE = 20;
  /** The system property Beam's cross-language tests read the expansion service's port from. */
  private static final String EXPANSION_PORT = "expansionPort";

  @TestFactory
  Stream<DynamicTest> sluiceRunnerPassesValidatesRunnerSuite() {
    HarnessSettings settings = HarnessSettings.from(System.getProperties());
    return settings.modes().stream()
        .map(mode -> DynamicTest.dynamicTest(mode.label(), () -> runSuite(settings, mode)));
  }

  private static void runSuite(HarnessSettings settings, RunMode mode) throws Exception {
    DiscoveredSuite suite = SuiteDiscovery.usingContextClassLoader().discover();
    logUnloadableClasses(suite);
    if (settings.selection().selectsAll()) {
      assertEquals(List.of(), suite.shortfalls(), "discovery missed ValidatesRunner tests");
    }

    Exclusions exclusions = Exclusions.load(settings.exclusionsFile());
    assertEquals(
        List.of(),
        exclusions.matchingNothing(suite.methods()),
        "exclusions that match no discovered test");
    SuitePlan plan =
        SuitePlan.of(suite.methods(), exclusions, mode, settings.selection());
    if (plan.toRun().isEmpty() && mode == RunMode.PORTABLE_PROCESS) {
      LOG.info("Nothing to run in {} mode: {}, and the selection holds none of those", mode.label(), mode.coverage());
      return;
    }
    assertFalse(
        plan.toRun().isEmpty() && !settings.selection().selectsAll(),
        "sluice.vr.tests=" + settings.selection() + " selects no test that is not excluded");
    LOG.info(
        "Running {} of {} discovered ValidatesRunner methods in {} mode ({} excluded; {}; {})",
        plan.toRun().size(),
        plan.discovered().size(),
        mode.label(),
        plan.excluded().size(),
        settings.selection(),
        mode.coverage());

    String previousOptions = System.getProperty(TestPipeline.PROPERTY_BEAM_TEST_PIPELINE_OPTIONS);
    SuiteOutcome outcome;
    LocalCluster cluster = mode.onCluster() ? startCluster() : null;
    // The cross-language tests find Beam's Java expansion service at localhost:${expansionPort}; what
    // it expands runs in the mode's own (EMBEDDED) Java harness.
    ExpansionServer expansion = mode.portable() ? ExpansionServer.create(
        new ExpansionService(new String[] {"--defaultEnvironmentType=EMBEDDED"}), "localhost", 0) : null;
    String previousExpansionPort = System.getProperty(EXPANSION_PORT);
    try {
      if (expansion != null) {
        System.setProperty(EXPANSION_PORT, Integer.toString(expansion.getPort()));
      }
      List<String> clusterArgs = cluster == null ? List.of() : List.of(
          "--coordinator=" + cluster.coordinator().getHostString() + ":" + cluster.coordinator().getPort(),
          "--clusterSecretFile=" + cluster.secretFile());
      // TestPipeline reads its options when each test instance is created, so this must come first.
      System.setProperty(
          TestPipeline.PROPERTY_BEAM_TEST_PIPELINE_OPTIONS,
          new ObjectMapper().writeValueAsString(mode.pipelineArgs(clusterArgs)));
      outcome =
          new SuiteRun(new TimedClassRunner(settings.timeout(), HarnessSettings.INTERRUPT_GRACE))
              .execute(plan);
    } finally {
      restore(previousOptions);
      if (cluster != null) {
        cluster.close();
      }
      if (expansion != null) {
        expansion.close();
        if (previousExpansionPort == null) {
          System.clearProperty(EXPANSION_PORT);
        } else {
          System.setProperty(EXPANSION_PORT, previousExpansionPort);
        }
      }
    }

    SuiteReport report = new SuiteReport(outcome);
    Path written = report.writeTo(settings.reportDir());
    LOG.info(
        "ValidatesRunner report, also in {}:\n{}", written.toAbsolutePath(), report.markdown());

    List<ExecutionResult> failures = outcome.failures();
    if (!failures.isEmpty()) {
      fail(
          failures.size()
              + " of "
              + outcome.results().size()
              + " ValidatesRunner test executions failed"
              + " (full list in "
              + written
              + "):\n"
              + failures.stream()
                  .limit(FAILURES_IN_ASSERTION_MESSAGE)
                  .map(failure -> "  " + failure.id() + ": " + failure.summary())
                  .collect(Collectors.joining("\n")));
    }
  }

  /** The suite's cluster: a coordinator and two workers, each with the slots of a job's parallelism. */
  private static LocalCluster startCluster() {
    try {
      return LocalCluster.start(2, 2, List.of("-Xmx2g", "-XX:+UseParallelGC"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the suite's local cluster did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the suite's local cluster started", e);
    }
  }

  private static void logUnloadableClasses(DiscoveredSuite suite) {
    if (!suite.unloadableClasses().isEmpty()) {
      // Expected: Beam's tests jars hold tests needing mockito and the like, outside the suite.
      LOG.info(
          "{} classes of the tests jars could not be loaded (none is counted above):\n  {}",
          suite.unloadableClasses().size(),
          String.join("\n  ", suite.unloadableClasses()));
    }
  }

  private static void restore(String previousOptions) {
    if (previousOptions == null) {
      System.clearProperty(TestPipeline.PROPERTY_BEAM_TEST_PIPELINE_OPTIONS);
    } else {
      System.setProperty(TestPipeline.PROPERTY_BEAM_TEST_PIPELINE_OPTIONS, previousOptions);
    }
  }
}
