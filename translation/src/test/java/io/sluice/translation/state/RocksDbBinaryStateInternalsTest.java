package io.sluice.translation.state;

import io.sluice.execution.state.RocksDbBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateInternalsTest;
import org.apache.beam.runners.core.StateNamespace;
import org.junit.After;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** Beam's StateInternals contract over a RocksDB column family. */
@RunWith(JUnit4.class)
public class RocksDbBinaryStateInternalsTest extends StateInternalsTest {

  private Path parent;
  private RocksDbBackend backend;

  @Override
  protected StateInternals createStateInternals() {
    try {
      parent = Files.createTempDirectory("sluice-state-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The backend refuses non-empty directories and deletes its own on close.
    backend = RocksDbBackend.open(parent.resolve("db"), 64 << 20);
    // As streaming operators use it: bags positioned by a store-wide sequence
    // (the heap variant of this test covers the per-bag counters).
    long[] sequence = {0};
    return new BinaryStateInternals(backend.store("state"), "key".getBytes(StandardCharsets.UTF_8), "key",
        HoldListener.NONE, StateNamespace::stringKey, () -> sequence[0]++);
  }

  @After
  public void closeBackend() throws IOException {
    if (backend != null) {
      backend.close();
    }
    if (parent != null) {
      Files.deleteIfExists(parent);
    }
  }
}
