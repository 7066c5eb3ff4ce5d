package io.sluice.execution.runtime;

import io.sluice.execution.channel.ChannelWriter;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputQueue;
import io.sluice.execution.channel.RecordPage;
import io.sluice.execution.channel.RecordSerializationException;
import io.sluice.execution.channel.RecordSerializer;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.Output;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.state.KeyedStores;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * One parallel instance of a vertex, run by one thread that owns all its operators: records of
 * every incoming channel arrive through one bounded inbox and are pushed through the fused chain by
 * direct calls.
 */
final class Subtask implements Runnable {

  /** A chained consumer of an operator's output port. */
  private static final class ChainTarget {
    final int fromPort;
    final int operator;
    final int port;
    final int slot;

    ChainTarget(int fromPort, int operator, int port, int slot) {
      this.fromPort = fromPort;
      this.operator = operator;
      this.port = port;
      this.slot = slot;
    }
  }

  private static final ChainTarget[] NO_TARGETS = new ChainTarget[0];
  /** How late a processing-time callback may be before it goes ahead of queued input. */
  private static final long CALLBACK_PATIENCE_MILLIS = 100;
  private static final ChannelWriter[] NO_WRITERS = new ChannelWriter[0];

  private final JobExecution job;
  private final Vertex vertex;
  private final int index;
  private final InputQueue inbox;
  private final Operator[] operators;
  private final OperatorOutput[] outputs;
  private final WatermarkTracker[] watermarks;
  /** Per operator and input port: the watermark of that port alone, for operators that tell ports apart. */
  private final WatermarkTracker[][] portWatermarks;
  /** Per operator and feeder slot: its input port, and its index among that port's slots. */
  private final int[][] slotPort;
  private final int[][] slotInPort;
  /** In-band processing time of each operator, the minimum over its feeders like a watermark. */
  private final WatermarkTracker[] processingTimes;
  private final ProcessingTimeMode timeMode;
  /** System-clock callbacks the operators asked for: {time, operator index}, earliest first. */
  private final PriorityQueue<long[]> scheduled = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
  private final List<Integer> activeSources = new ArrayList<>();
  private final Context[] contexts;
  private final int[] remainingFeeders;
  private final int[][] remainingPortFeeders;
  private final boolean[] completed;
  /** Operators whose inputs are done but that still have work at later processing times. */
  private final boolean[] draining;
  private int remainingOperators;

  // Incoming channels, indexed by the channel number frames carry.
  private final int[] channelOperator;
  private final int[] channelPort;
  private final int[] channelSlotBase;
  private final RecordSerializer[] channelSerializer;

  private final List<ChannelWriter> allWriters = new ArrayList<>();
  /** The inboxes of the subtasks that feed this one over channels: whether they have settled. */
  private final List<InputQueue> feederInboxes = new ArrayList<>();
  /** Frames handled whose effects may still sit in the writers' pages: derived, until the next idle flush. */
  private int handledUnsent;
  private volatile long recordsIn;
  private boolean opened;

  Subtask(JobExecution job, Vertex vertex, int index, InputQueue inbox) {
    this.job = job;
    this.vertex = vertex;
    this.index = index;
    this.inbox = inbox;
    int n = vertex.operators().size();
    this.operators = new Operator[n];
    this.outputs = new OperatorOutput[n];
    this.watermarks = new WatermarkTracker[n];
    this.portWatermarks = new WatermarkTracker[n][];
    this.slotPort = new int[n][];
    this.slotInPort = new int[n][];
    this.processingTimes = new WatermarkTracker[n];
    this.contexts = new Context[n];
    this.timeMode = job.config().processingTimeMode();
    this.remainingFeeders = new int[n];
    this.remainingPortFeeders = new int[n][];
    this.completed = new boolean[n];
    this.draining = new boolean[n];
    this.remainingOperators = n;

    List<Edge> incoming = job.graph().incomingChannels(vertex);
    this.channelOperator = new int[incoming.size()];
    this.channelPort = new int[incoming.size()];
    this.channelSlotBase = new int[incoming.size()];
    this.channelSerializer = new RecordSerializer[incoming.size()];

    // Feeder slots of each operator: one per chained producer, one per producing subtask of a channel.
    int[] slotCount = new int[n];
    List<List<Integer>> slotPorts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slotPorts.add(new ArrayList<>());
    }
    List<List<ChainTarget>> chainTargets = new ArrayList<>();
    List<List<ChannelWriter>> writers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chainTargets.add(new ArrayList<>());
      writers.add(new ArrayList<>());
      remainingPortFeeders[i] = new int[0];
    }
    for (Edge e : job.graph().edges()) {
      if (e.isChained() && e.to().vertex() == vertex) {
        int to = e.to().index();
        chainTargets.get(e.from().index()).add(new ChainTarget(e.fromPort(), to, e.toPort(), slotCount[to]++));
        slotPorts.get(to).add(e.toPort());
        addFeeders(to, e.toPort(), 1);
      }
    }
    for (int c = 0; c < incoming.size(); c++) {
      Edge e = incoming.get(c);
      int to = e.to().index();
      int producers = e.from().vertex().parallelism();
      channelOperator[c] = to;
      channelPort[c] = e.toPort();
      channelSerializer[c] = e.serializer();
      channelSlotBase[c] = slotCount[to];
      slotCount[to] += producers;
      for (int p = 0; p < producers; p++) {
        slotPorts.get(to).add(e.toPort());
      }
      addFeeders(to, e.toPort(), producers);
    }
    for (Edge e : incoming) {
      for (InputQueue feeder : job.inboxesOf(e.from().vertex())) {
        if (!feederInboxes.contains(feeder)) {
          feederInboxes.add(feeder);
        }
      }
    }
    for (Edge e : job.graph().outgoingChannels(vertex)) {
      ChannelWriter w = job.channelWriter(e, index);
      writers.get(e.from().index()).add(w);
      allWriters.add(w);
    }
    for (int i = 0; i < n; i++) {
      watermarks[i] = new WatermarkTracker(slotCount[i]);
      int ports = remainingPortFeeders[i].length;
      int[] perPort = new int[ports];
      slotPort[i] = new int[slotCount[i]];
      slotInPort[i] = new int[slotCount[i]];
      for (int slot = 0; slot < slotCount[i]; slot++) {
        int port = slotPorts.get(i).get(slot);
        slotPort[i][slot] = port;
        slotInPort[i][slot] = perPort[port]++;
      }
      portWatermarks[i] = new WatermarkTracker[ports];
      for (int port = 0; port < ports; port++) {
        portWatermarks[i][port] = new WatermarkTracker(perPort[port]);
      }
      // In-band time starts where the job did, everywhere at once: a feeder that has not spoken yet
      // (an idle source subtask) must not hold an operator at the beginning of time.
      processingTimes[i] = new WatermarkTracker(slotCount[i], job.startMillis());
      outputs[i] = new OperatorOutput(chainTargets.get(i), chainedPorts(vertex, i, writers.get(i), job));
    }
  }

  private void addFeeders(int operator, int port, int count) {
    remainingFeeders[operator] += count;
    if (remainingPortFeeders[operator].length <= port) {
      remainingPortFeeders[operator] = java.util.Arrays.copyOf(remainingPortFeeders[operator], port + 1);
    }
    remainingPortFeeders[operator][port] += count;
  }

  /** The channel writers of operator {@code op}, grouped by the output port they serve. */
  private static ChannelWriter[][] chainedPorts(Vertex vertex, int op, List<ChannelWriter> writers, JobExecution job) {
    List<Edge> outgoing = job.graph().outgoingChannels(vertex);
    int maxPort = -1;
    for (Edge e : outgoing) {
      if (e.from().index() == op) {
        maxPort = Math.max(maxPort, e.fromPort());
      }
    }
    ChannelWriter[][] byPort = new ChannelWriter[maxPort + 1][];
    int w = 0;
    for (Edge e : outgoing) {
      if (e.from().index() == op) {
        ChannelWriter[] old = byPort[e.fromPort()] == null ? NO_WRITERS : byPort[e.fromPort()];
        ChannelWriter[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = writers.get(w++);
        byPort[e.fromPort()] = grown;
      }
    }
    return byPort;
  }

  String name() {
    return vertex.name() + "#" + index;
  }

  long recordsIn() {
    return recordsIn;
  }

  @Override
  public void run() {
    Throwable failure = null;
    try {
      for (int i = 0; i < operators.length; i++) {
        OperatorNode node = vertex.operators().get(i);
        operators[i] = node.factory().create(index);
        contexts[i] = new Context(node, outputs[i], i);
        operators[i].open(contexts[i]);
      }
      job.subtaskOpened();
      opened = true;
      job.awaitAllOpened();
      for (int i = 0; i < operators.length; i++) {
        if (!completed[i] && remainingFeeders[i] == 0) {
          if (operators[i] instanceof SourceOperator) {
            activeSources.add(i);
          } else {
            completeOperator(i);
          }
        }
      }
      job.subtaskStarted();
      while (remainingOperators > 0) {
        // Checked per frame, not only when idle: a busy subtask must stop promptly too.
        job.checkNotCancelled();
        boolean busy = pollSources();
        if (timeMode == ProcessingTimeMode.IN_BAND && !activeSources.isEmpty()) {
          // A test source waits for quiescence, which counts only frames that were sent.
          flushWriters();
        }
        // Input that is already here comes before callbacks that just fell due: what is queued is
        // older than the clock reading. Callbacks overdue by more than a little go first anyway.
        fireScheduled(CALLBACK_PATIENCE_MILLIS);
        Frame frame = inbox.poll();
        if (frame == null) {
          fireScheduled(0);
          frame = inbox.poll();
        }
        if (frame == null) {
          if (busy) {
            continue;
          }
          // About to wait: let downstream work on what is buffered rather than sit on it.
          idleOperators();
          flushWriters();
          if (handledUnsent > 0) {
            inbox.handled(handledUnsent);
            handledUnsent = 0;
          }
          frame = inbox.poll(waitMillis(), TimeUnit.MILLISECONDS);
          if (frame == null) {
            continue;
          }
        }
        handle(frame);
        if (timeMode == ProcessingTimeMode.IN_BAND) {
          // Everything this frame caused must be on its way before it stops counting as in flight.
          idleOperators();
          flushWriters();
          inbox.handled(1);
        } else {
          // Counted handled once what it caused is flushed, when the subtask next goes idle.
          handledUnsent++;
        }
      }
      // Every operator has ended its outputs: all this subtask received has had its effects.
      inbox.handled(handledUnsent);
      handledUnsent = 0;
    } catch (Throwable t) {
      failure = t;
    } finally {
      failure = closeOperators(failure);
      job.subtaskEnded(this, failure);
      if (!opened) {
        // Only now: the job has recorded this failure, so the subtasks released here stop at once.
        job.subtaskOpened();
      }
    }
  }

  private void idleOperators() throws Exception {
    for (int i = 0; i < operators.length; i++) {
      if (!completed[i]) {
        operators[i].idle();
      }
    }
  }

  private void flushWriters() throws InterruptedException {
    for (ChannelWriter w : allWriters) {
      w.flush();
    }
  }

  /** Gives every running source a turn; true if any emitted something. */
  private boolean pollSources() throws Exception {
    boolean busy = false;
    for (int k = activeSources.size() - 1; k >= 0; k--) {
      int op = activeSources.get(k);
      SourceOperator.Status status = ((SourceOperator) operators[op]).poll();
      if (status == SourceOperator.Status.DONE) {
        activeSources.remove(k);
        completeOperator(op);
      } else if (status == SourceOperator.Status.MORE) {
        busy = true;
      }
    }
    return busy;
  }

  /** Calls back the operators whose requested times are at least {@code lateness} ms past. */
  private void fireScheduled(long lateness) throws Exception {
    if (scheduled.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    long upTo = now - lateness;
    if (scheduled.peek()[0] > upTo) {
      return;
    }
    while (!scheduled.isEmpty() && scheduled.peek()[0] <= upTo) {
      int op = (int) scheduled.poll()[1];
      if (!completed[op]) {
        flushWriters();
        operators[op].processingTime(now);
        if (draining[op] && !operators[op].hasPendingWork()) {
          finishOperator(op);
        }
      }
    }
  }

  /** How long an idle subtask may wait for input: until the next callback, a source's next poll. */
  private long waitMillis() {
    long wait = activeSources.isEmpty() ? 100 : 5;
    if (!scheduled.isEmpty()) {
      wait = Math.min(wait, scheduled.peek()[0] - System.currentTimeMillis());
    }
    return Math.max(1, wait);
  }

  private void handle(Frame frame) throws Exception {
    int c = frame.channel();
    int op = channelOperator[c];
    switch (frame.kind()) {
      case RECORDS:
        Operator operator = operators[op];
        int port = channelPort[c];
        RecordSerializer serializer = channelSerializer[c];
        RecordPage.Reader records = new RecordPage.Reader(frame.page(), frame.size());
        while (records.hasNext()) {
          Object record;
          try {
            record = records.next(serializer);
          } catch (IOException | RuntimeException e) {
            throw new RecordSerializationException("cannot read a record from channel " + c + " into "
                + vertex.operators().get(op).name() + ": " + e, e);
          }
          operator.process(port, record);
        }
        recordsIn += frame.count();
        break;
      case WATERMARK:
        // Time moving on may start long work (timers): what is buffered goes downstream first.
        flushWriters();
        advanceWatermark(op, channelSlotBase[c] + frame.sender(), frame.watermark());
        break;
      case PROCESSING_TIME:
        advanceProcessingTime(op, channelSlotBase[c] + frame.sender(), frame.watermark());
        break;
      case END:
        feederDone(op, channelPort[c], channelSlotBase[c] + frame.sender());
        break;
      default:
        throw new IllegalStateException("unknown frame " + frame.kind());
    }
  }

  private void advanceWatermark(int op, int slot, long watermark) throws Exception {
    int port = slotPort[op][slot];
    if (portWatermarks[op][port].update(slotInPort[op][slot], watermark)) {
      operators[op].portWatermark(port, portWatermarks[op][port].current());
    }
    if (watermarks[op].update(slot, watermark)) {
      operators[op].watermark(watermarks[op].current());
    }
  }

  /** In-band processing time passes through every operator unchanged: no operator holds it back. */
  private void advanceProcessingTime(int op, int slot, long time) throws Exception {
    if (processingTimes[op].update(slot, time)) {
      long now = processingTimes[op].current();
      operators[op].processingTime(now);
      if (now != WatermarkTracker.END_OF_TIME) {
        // The end of time travels with the end of the stream instead.
        outputs[op].forwardProcessingTime(now);
      }
    }
  }

  private void feederDone(int op, int port, int slot) throws Exception {
    advanceWatermark(op, slot, WatermarkTracker.END_OF_TIME);
    if (timeMode == ProcessingTimeMode.IN_BAND) {
      advanceProcessingTime(op, slot, WatermarkTracker.END_OF_TIME);
    }
    if (--remainingPortFeeders[op][port] == 0) {
      operators[op].inputDone(port);
    }
    if (--remainingFeeders[op] == 0) {
      completeOperator(op);
    }
  }

  private void completeOperator(int op) throws Exception {
    operators[op].complete();
    if (operators[op].hasPendingWork()) {
      // Its output stays open; processing-time callbacks go on until the work is done.
      draining[op] = true;
      return;
    }
    finishOperator(op);
  }

  private void finishOperator(int op) throws Exception {
    draining[op] = false;
    completed[op] = true;
    remainingOperators--;
    for (ChainTarget t : outputs[op].chained) {
      feederDone(t.operator, t.port, t.slot);
    }
    for (ChannelWriter[] port : outputs[op].channels) {
      if (port != null) {
        for (ChannelWriter w : port) {
          w.end();
        }
      }
    }
  }

  private Throwable closeOperators(Throwable failure) {
    for (int i = 0; i < operators.length; i++) {
      if (operators[i] != null) {
        failure = closeQuietly(operators[i]::close, failure);
      }
      if (contexts[i] != null) {
        failure = closeQuietly(contexts[i]::closeStores, failure);
      }
    }
    return failure;
  }

  private static Throwable closeQuietly(AutoCloseable closeable, Throwable failure) {
    try {
      closeable.close();
    } catch (Throwable t) {
      if (failure == null) {
        return t;
      } else if (failure != t) {
        failure.addSuppressed(t);
      }
    }
    return failure;
  }

  /** The output of one operator: direct calls into chained operators, writes into channels. */
  private final class OperatorOutput implements Output {
    final ChainTarget[] chained;
    final ChannelWriter[][] channels;
    final ChainTarget[][] chainedByPort;

    OperatorOutput(List<ChainTarget> chained, ChannelWriter[][] channels) {
      this.chained = chained.toArray(NO_TARGETS);
      this.channels = channels;
      int maxPort = channels.length - 1;
      for (ChainTarget t : this.chained) {
        maxPort = Math.max(maxPort, portOf(t));
      }
      this.chainedByPort = new ChainTarget[maxPort + 1][];
      for (ChainTarget t : this.chained) {
        int p = portOf(t);
        ChainTarget[] old = chainedByPort[p] == null ? NO_TARGETS : chainedByPort[p];
        ChainTarget[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = t;
        chainedByPort[p] = grown;
      }
    }

    private int portOf(ChainTarget t) {
      return t.fromPort;
    }

    @Override
    public void emit(int outputPort, Object record) throws InterruptedException {
      if (outputPort < chainedByPort.length) {
        ChainTarget[] targets = chainedByPort[outputPort];
        if (targets != null) {
          for (ChainTarget t : targets) {
            try {
              operators[t.operator].process(t.port, record);
            } catch (RuntimeException | InterruptedException e) {
              throw e;
            } catch (Exception e) {
              throw new OperatorException(e);
            }
          }
        }
      }
      if (outputPort < channels.length) {
        ChannelWriter[] writers = channels[outputPort];
        if (writers != null) {
          for (ChannelWriter w : writers) {
            w.write(record);
          }
        }
      }
    }

    @Override
    public void emitProcessingTime(long time) throws InterruptedException {
      forwardProcessingTime(time);
    }

    void forwardProcessingTime(long time) throws InterruptedException {
      forwardTime(time, true);
    }

    @Override
    public void emitWatermark(long watermark) throws InterruptedException {
      forwardTime(watermark, false);
    }

    /** Hands a watermark or an in-band processing time to every chained operator and channel. */
    private void forwardTime(long time, boolean processingTime) throws InterruptedException {
      for (ChainTarget t : chained) {
        try {
          if (processingTime) {
            advanceProcessingTime(t.operator, t.slot, time);
          } else {
            advanceWatermark(t.operator, t.slot, time);
          }
        } catch (RuntimeException | InterruptedException e) {
          throw e;
        } catch (Exception e) {
          throw new OperatorException(e);
        }
      }
      for (ChannelWriter[] port : channels) {
        if (port != null) {
          for (ChannelWriter w : port) {
            if (processingTime) {
              w.processingTime(time);
            } else {
              w.watermark(time);
            }
          }
        }
      }
    }
  }

  private final class Context implements OperatorContext {
    private final OperatorNode node;
    private final Output output;
    private final int operatorIndex;
    private Path spillDirectory;
    private KeyedStores stores;
    /** Synchronized processing time on the system clock: derived, advances while this subtask lives. */
    private long synchronizedTime = job.startMillis();

    Context(OperatorNode node, Output output, int operatorIndex) {
      this.node = node;
      this.output = output;
      this.operatorIndex = operatorIndex;
    }

    @Override
    public String vertexName() {
      return vertex.name();
    }

    @Override
    public String operatorName() {
      return node.name();
    }

    @Override
    public int subtaskIndex() {
      return index;
    }

    @Override
    public int parallelism() {
      return vertex.parallelism();
    }

    @Override
    public Output output() {
      return output;
    }

    @Override
    public Path spillDirectory() {
      if (spillDirectory == null) {
        spillDirectory = job.operatorDirectory(directoryName());
      }
      return spillDirectory;
    }

    private String directoryName() {
      return vertex.id() + "-" + node.index() + "-" + index;
    }

    @Override
    public long memoryBudgetBytes() {
      return job.config().operatorMemoryBudgetBytes();
    }

    @Override
    public KeyedStores keyedStores() {
      if (stores == null) {
        ExecutionConfig config = job.config();
        stores = config.stateBackend().open(job.stateDirectory(directoryName()), config.stateMemoryBytes());
      }
      return stores;
    }

    void closeStores() {
      if (stores != null) {
        stores.close();
        stores = null;
      }
    }

    @Override
    public long processingTime() {
      return timeMode == ProcessingTimeMode.IN_BAND
          ? processingTimes[operatorIndex].current()
          : System.currentTimeMillis();
    }

    @Override
    public void scheduleProcessingTime(long time) {
      if (timeMode == ProcessingTimeMode.SYSTEM_CLOCK) {
        scheduled.add(new long[] {time, operatorIndex});
      }
    }

    @Override
    public ProcessingTimeMode processingTimeMode() {
      return timeMode;
    }

    @Override
    public boolean isQuiescent() {
      return job.isQuiescent();
    }

    @Override
    public long synchronizedProcessingTime() {
      if (timeMode == ProcessingTimeMode.IN_BAND) {
        return processingTime();
      }
      if (upstreamSettled()) {
        synchronizedTime = Math.max(synchronizedTime, System.currentTimeMillis());
      }
      return synchronizedTime;
    }

    private boolean upstreamSettled() {
      if (!inbox.isSettled()) {
        return false;
      }
      for (InputQueue feeder : feederInboxes) {
        if (!feeder.isSettled()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      return job.isCancelled();
    }
  }
}
