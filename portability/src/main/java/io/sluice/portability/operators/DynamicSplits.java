package io.sluice.portability.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleSplitResponse;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the bundles of a stage without user state, timers or splittable DoFns, splitting those the
 * harness is slow with, as Dataflow and Prism do: while a bundle has not finished
 * {@link #SPLIT_AFTER_NANOS} after its input ended, the harness is asked to keep half of what it
 * has not done; the elements it has not reached go into a new bundle that runs beside it, and are
 * split in turn. A bundle of slow elements (a source read for ten seconds per split, say) thus runs
 * about as long as its slowest element, not their sum.
 *
 * <p>A stage with a splittable DoFn is not split: the harness would split the restriction in
 * process and hand its rest back to run at once, ahead of the finalization of the bundle that
 * split it, which a DoFn that checkpoints itself may wait for (Python's
 * {@code test_register_finalizations} then never sees its finalization and outputs nothing).
 *
 * <p>Each bundle's close (which waits for the harness) runs on a thread of its own; everything
 * else, opening the bundles of split-off work included, on the subtask's thread, which waits here
 * until every piece has finished and sends on their output as it comes. A bundle is split only if
 * its whole input is still at hand: at most {@link #MAX_RETAINED} elements are kept for that.
 */
final class DynamicSplits {

  private static final Logger LOG = LoggerFactory.getLogger(DynamicSplits.class);

  /** How long a bundle may run after its input ended before it is split, and again between splits. */
  static final long SPLIT_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * The longest wait between asks to split a piece that go unanswered: asks without bound flood
   * the harness's control stream (a thread and a response each) until it stalls.
   */
  static final long MAX_ASK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(8);
  /** How often the subtask's thread sends on output while pieces run. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Pieces of one bundle running at once in the harness, at most. */
  static final int MAX_PIECES = 64;
  /** Elements of a bundle kept to hand out on a split; a bigger bundle is not split. */
  static final int MAX_RETAINED = 10_000;

  private static final AtomicLong CLOSER_THREADS = new AtomicLong();
  /** Threads that wait for the harness to finish a bundle: daemons, idle ones go after a minute. */
  private static final ExecutorService CLOSERS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "sluice-bundle-close-" + CLOSER_THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  /** Opens a bundle of the stage whose split answers come back to {@link #split}, on the subtask's thread. */
  interface Opener {
    RemoteBundle open() throws Exception;
  }

  /** A bundle being closed: what it was sent (null if not kept), up to where it is still its own. */
  private static final class Piece {
    final RemoteBundle bundle;
    final List<Object> sent;
    int end;
    /** When to ask the harness to split it next; {@link #NEVER} once it keeps one element or fewer. */
    long splitAt;
    /**
     * How long after an ask to ask again: doubles while the asks go unanswered (the harness does not
     * answer one it could not split, nor one for a bundle it has not started), so that a piece asks
     * a few times a second at most and ever more rarely.
     */
    long askEvery = SPLIT_AFTER_NANOS;
    CompletableFuture<Void> closed;

    Piece(RemoteBundle bundle, List<Object> sent) {
      this.bundle = bundle;
      this.sent = sent;
      this.end = sent == null ? 0 : sent.size();
      split(System.nanoTime());
    }

    /** Notes that it was split (or started) at {@code now}: it may be split again after a while. */
    void split(long now) {
      askEvery = SPLIT_AFTER_NANOS;
      splitAt = sent != null && end > 1 ? now + askEvery : NEVER;
    }

    void ask(long now) {
      bundle.split(0.5);
      askEvery = Math.min(2 * askEvery, MAX_ASK_EVERY_NANOS);
      splitAt = now + askEvery;
    }
  }

  private static final long NEVER = Long.MAX_VALUE;

  // Fixed.
  private final Opener opener;
  private final String operatorName;
  // Derived, on the subtask's thread: the open bundle's input, from its opening to its finish.
  private List<Object> sent = new ArrayList<>();
  private boolean retained = true;
  /** The pieces of the bundle being finished, by bundle id: derived, for the finish's length. */
  private final Map<String, Piece> pieces = new LinkedHashMap<>();

  DynamicSplits(Opener opener, String operatorName) {
    this.opener = opener;
    this.operatorName = operatorName;
  }

  /** Whether {@code stage}'s bundles may be split: it keeps no state, sets no timers, has no splittable DoFn. */
  static boolean splits(ExecutableStage stage) {
    return stage.getUserStates().isEmpty() && stage.getTimers().isEmpty()
        && stage.getTransforms().stream().noneMatch(t -> t.getTransform().getSpec().getUrn()
            .equals(PTransformTranslation.SPLITTABLE_PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS_URN));
  }

  /** Notes an element sent to the open bundle, in order. */
  void sent(Object element) {
    if (!retained) {
      return;
    }
    if (sent.size() < MAX_RETAINED) {
      sent.add(element);
    } else {
      retained = false;
      sent = new ArrayList<>();
    }
  }

  /**
   * Ends {@code bundle} and what is split off it, running {@code drain} (which sends on output and
   * hands split answers back to {@link #split}) as they go; returns once all have finished, throws
   * the first failure.
   */
  void finish(RemoteBundle bundle, Drain drain) throws Exception {
    start(bundle, retained ? sent : null);
    sent = new ArrayList<>();
    retained = true;
    try {
      while (!pieces.isEmpty()) {
        long now = System.nanoTime();
        long wakeAt = now + POLL_NANOS;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Piece piece : pieces.values()) {
          if (piece.closed.isDone()) {
            continue;
          }
          if (now >= piece.splitAt && pieces.size() < MAX_PIECES) {
            piece.ask(now);
          }
          wakeAt = Math.min(wakeAt, piece.splitAt);
          running.add(piece.closed);
        }
        if (!running.isEmpty()) {
          try {
            CompletableFuture.anyOf(running.toArray(CompletableFuture[]::new))
                .get(Math.max(1, wakeAt - now), TimeUnit.NANOSECONDS);
          } catch (TimeoutException | ExecutionException e) {
            // Still running, or failed: told below.
          }
        }
        // A piece's split answers are queued before its close returns: take the finished ones first.
        List<Piece> finished = pieces.values().stream().filter(p -> p.closed.isDone()).toList();
        drain.run();
        for (Piece piece : finished) {
          pieces.remove(piece.bundle.getId());
          try {
            piece.closed.get();
          } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
          }
        }
      }
    } finally {
      // On a failure the other pieces are left to the harness, which the failing job takes down.
      pieces.clear();
    }
  }

  /** Sends on what the harness has output and hands its split answers back. */
  interface Drain {
    void run() throws Exception;
  }

  /**
   * Takes the harness's answer to a split of bundle {@code bundleId}: what it gave back runs in a
   * new bundle of its own.
   */
  @SuppressWarnings("unchecked")
  void split(String bundleId, ProcessBundleSplitResponse answer) throws Exception {
    Piece piece = pieces.get(bundleId);
    if (piece == null || piece.sent == null || answer.getResidualRootsCount() > 0) {
      throw new IllegalStateException("the harness split bundle " + bundleId + " in a way it was not asked to: "
          + answer);
    }
    List<Object> rest = new ArrayList<>();
    for (ProcessBundleSplitResponse.ChannelSplit channel : answer.getChannelSplitsList()) {
      int from = (int) channel.getFirstResidualElement();
      if (from < piece.end) {
        rest.addAll(piece.sent.subList(from, piece.end));
        piece.end = from;
      }
    }
    piece.split(System.nanoTime());
    if (rest.isEmpty()) {
      return;
    }
    RemoteBundle split = opener.open();
    FnDataReceiver<Object> input = (FnDataReceiver<Object>) split.getInputReceivers().values().iterator().next();
    for (Object element : rest) {
      input.accept(element);
    }
    LOG.debug("{}: bundle {} split, {} elements on in bundle {} ({} pieces)", operatorName, bundleId, rest.size(),
        split.getId(), pieces.size() + 1);
    start(split, rest);
  }

  private void start(RemoteBundle bundle, List<Object> input) {
    Piece piece = new Piece(bundle, input);
    pieces.put(bundle.getId(), piece);
    piece.closed = CompletableFuture.runAsync(() -> {
      try {
        bundle.close();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, CLOSERS);
  }
}
