package io.sluice.execution.sort;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * K-way merge of sorted sources into one sorted stream. Equal keys come out in source order, which
 * is what makes the whole sort stable: sources are passed oldest first.
 *
 * <p>The source holding the current record is kept out of the heap. Runs are long and mostly
 * contribute several records in a row, so after each advance one comparison against the heap's
 * top usually settles that the same source is still the minimum, without a poll and an offer.
 */
final class MergedRecordSource implements SortedRecordSource {

  /** One per source for the whole merge, so advancing allocates nothing. */
  private static final class Input {
    final SortedRecordSource source;
    final int rank;

    Input(SortedRecordSource source, int rank) {
      this.source = source;
      this.rank = rank;
    }
  }

  private final List<SortedRecordSource> sources;
  private final PriorityQueue<Input> heap;
  private Input head;
  private boolean started;
  private boolean closed;

  /** Takes ownership of the sources, oldest first; closing the merge closes them. */
  MergedRecordSource(List<? extends SortedRecordSource> sourcesOldestFirst) {
    this.sources = new ArrayList<>(sourcesOldestFirst);
    this.heap = new PriorityQueue<>(Math.max(1, sources.size()), MergedRecordSource::compare);
  }

  private static int compare(Input a, Input b) {
    int byKey = Arrays.compareUnsigned(a.source.key(), b.source.key());
    return byKey != 0 ? byKey : Integer.compare(a.rank, b.rank);
  }

  @Override
  public boolean advance() throws IOException {
    if (closed) {
      return false;
    }
    if (!started) {
      started = true;
      for (int rank = 0; rank < sources.size(); rank++) {
        SortedRecordSource source = sources.get(rank);
        if (source.advance()) {
          heap.add(new Input(source, rank));
        } else {
          source.close();
        }
      }
      head = heap.poll();
      return head != null;
    }
    if (head == null) {
      return false;
    }
    if (head.source.advance()) {
      Input next = heap.peek();
      if (next != null && compare(next, head) < 0) {
        heap.add(head);
        head = heap.poll();
      }
    } else {
      head.source.close();
      head = heap.poll();
    }
    return head != null;
  }

  @Override
  public byte[] key() {
    return head.source.key();
  }

  @Override
  public byte[] value() {
    return head.source.value();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    head = null;
    heap.clear();
    for (SortedRecordSource source : sources) {
      source.close();
    }
  }
}
