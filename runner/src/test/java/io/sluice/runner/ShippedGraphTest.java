package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.junit.jupiter.api.Test;

/** Sluice runs the job graph as a cluster would ship it: what cannot travel fails at run(), named. */
class ShippedGraphTest {

  /** Not serializable, as a handle to something of the submitting process would not be. */
  static final class LocalHandle {}

  /** Global windows, holding a handle that works in one process and cannot be sent to another. */
  static final class UnshippableWindows extends NonMergingWindowFn<Object, GlobalWindow> {
    @SuppressWarnings("unused")
    private final LocalHandle handle = new LocalHandle();

    @Override
    public Collection<GlobalWindow> assignWindows(AssignContext c) {
      return List.of(GlobalWindow.INSTANCE);
    }

    @Override
    public boolean isCompatible(WindowFn<?, ?> other) {
      return other instanceof UnshippableWindows;
    }

    @Override
    public Coder<GlobalWindow> windowCoder() {
      return GlobalWindow.Coder.INSTANCE;
    }

    @Override
    public WindowMappingFn<GlobalWindow> getDefaultWindowMappingFn() {
      throw new UnsupportedOperationException("not a side input's windowing");
    }
  }

  @Test
  void whatCannotBeShippedFailsAtRunNamingWhereItIs() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2").create());
    p.apply(Create.of(1, 2, 3)).apply("Unshippable", Window.into(new UnshippableWindows()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertTrue(e.getMessage().contains("cannot be shipped"), e.getMessage());
    assertTrue(e.getMessage().contains("Unshippable"), e.getMessage());
    assertTrue(e.getMessage().contains(LocalHandle.class.getName()), e.getMessage());
  }
}
