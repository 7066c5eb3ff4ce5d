package io.sluice.benchmarks.jmh;

import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputGate;
import io.sluice.execution.channel.RecordPage;
import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.channel.local.LocalChannel;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.state.KeyGroups;
import io.sluice.translation.records.WindowedValueSerializer;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data path of one record between two subtasks: the coder round trip a spill or a network
 * channel pays, and the hand-off through a record writer into a bounded channel and out of its gate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ChannelBenchmark {

  private Coder<WindowedValue<KV<Long, byte[]>>> coder;
  private WindowedValue<KV<Long, byte[]>> record;
  private byte[] encoded;
  private InputGate gate;
  private RecordWriter writer;
  private WindowedValueSerializer serializer;

  @Setup
  public void setUp() throws Exception {
    coder = WindowedValues.getFullCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of()), GlobalWindow.Coder.INSTANCE);
    record = WindowedValues.valueInGlobalWindow(KV.of(42L, new byte[90]));
    encoded = CoderUtils.encodeToByteArray(coder, record);
    gate = new InputGate();
    LocalChannel channel = new LocalChannel(64, gate);
    gate.connect(channel);
    serializer = WindowedValueSerializer.of(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of()), WindowingStrategy.globalDefault());
    writer = new RecordWriter("bench", 0, new ChannelSender[] {channel}, Partitioning.forward(), serializer, 256,
        new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM));
  }

  @Benchmark
  public byte[] encode() throws Exception {
    return CoderUtils.encodeToByteArray(coder, record);
  }

  @Benchmark
  public WindowedValue<KV<Long, byte[]>> decode() throws Exception {
    return CoderUtils.decodeFromByteArray(coder, encoded);
  }

  /** 256 records serialized into pages, handed through the channel and read back by the consumer side. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(256)
  public int handOff() throws Exception {
    for (int i = 0; i < 256; i++) {
      writer.write(record);
    }
    writer.flush();
    int read = 0;
    int frames = 0;
    for (Frame frame = gate.poll(); frame != null; frame = gate.poll()) {
      frames++;
      RecordPage.Reader records = new RecordPage.Reader(frame.page(), frame.size());
      while (records.hasNext()) {
        records.next(serializer);
        read++;
      }
    }
    gate.handled(frames);
    return read;
  }
}
