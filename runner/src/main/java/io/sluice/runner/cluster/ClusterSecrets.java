package io.sluice.runner.cluster;

import io.sluice.execution.net.SharedSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where a cluster's shared secret comes from: given, else in a file, else in the environment. */
public final class ClusterSecrets {

  /** The environment variable that holds the secret when neither a value nor a file is given. */
  public static final String ENVIRONMENT = "SLUICE_CLUSTER_SECRET";

  private ClusterSecrets() {}

  /** The secret, or null if none is given anywhere. */
  public static SharedSecret find(String value, String file) {
    if (value != null && !value.isEmpty()) {
      return SharedSecret.ofText(value);
    }
    if (file != null && !file.isEmpty()) {
      try {
        List<String> lines = Files.readAllLines(Path.of(file));
        if (lines.isEmpty() || lines.get(0).isBlank()) {
          throw new IllegalArgumentException("the secret file " + file + " is empty");
        }
        return SharedSecret.ofText(lines.get(0).trim());
      } catch (IOException e) {
        // Bad input, named, as an empty file is: not an I/O fault of Sluice's.
        throw new IllegalArgumentException("cannot read the secret file " + file + " (" + e + ")", e);
      }
    }
    String env = System.getenv(ENVIRONMENT);
    return env == null || env.isEmpty() ? null : SharedSecret.ofText(env.trim());
  }

  /** The secret; fails, saying where to put one, if none is given. */
  public static SharedSecret require(String value, String file, String fileFlag, String who) {
    SharedSecret secret = find(value, file);
    if (secret == null) {
      throw new IllegalArgumentException(who + " needs the cluster's shared secret: --" + fileFlag + "=FILE or the"
          + " environment variable " + ENVIRONMENT);
    }
    return secret;
  }

  /** Writes {@code secret} to a new file that only this user can read. */
  static Path writeSecretFile(Path directory, SharedSecret secret) throws IOException {
    Path file = directory.resolve("secret");
    Files.createFile(file);
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory is the user's own temporary one.
    }
    Files.writeString(file, secret.reveal() + "\n");
    return file;
  }
}
