package io.sluice.runner.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A missing or unreadable secret is bad input: a message that names what to give, no stack trace. */
class ClusterSecretsTest {

  @Test
  void aSecretFileThatIsNotThereIsNamed(@TempDir Path directory) {
    Path missing = directory.resolve("no-such-secret");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ClusterSecrets.find(null, missing.toString()));
    assertTrue(refused.getMessage().contains(missing.toString()), refused.getMessage());
  }

  @Test
  void aJobServerForACoordinatorWithoutASecretNamesItsOwnFlag() {
    assumeTrue(System.getenv(ClusterSecrets.ENVIRONMENT) == null, "the secret comes from the environment here");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> SluiceMain.jobServer(new String[] {"--coordinator=localhost:1"}));
    assertTrue(refused.getMessage().contains("--secret-file=FILE"), refused.getMessage());
  }
}
