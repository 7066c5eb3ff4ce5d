package io.sluice.translation.state;

import io.sluice.execution.state.HeapByteStore;
import java.nio.charset.StandardCharsets;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateInternalsTest;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** Beam's StateInternals contract over the heap store. */
@RunWith(JUnit4.class)
public class HeapBinaryStateInternalsTest extends StateInternalsTest {

  @Override
  protected StateInternals createStateInternals() {
    return new BinaryStateInternals(
        new HeapByteStore(), "key".getBytes(StandardCharsets.UTF_8), "key", HoldListener.NONE);
  }
}
