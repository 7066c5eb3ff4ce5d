"""Python streaming pipelines on Sluice's job server, driven by TestStream (watermarks and processing
time in band, so each result is exact), each checked with assert_that.
Usage: streaming_pipelines.py JOB_ENDPOINT [NAME ...]"""

import sys
from typing import Tuple

import apache_beam as beam
from apache_beam import coders
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import trigger
from apache_beam.transforms import userstate
from apache_beam.transforms import window
from apache_beam.utils.timestamp import Timestamp

from batch_pipelines import options


def streaming_options(endpoint):
    opts = options(endpoint)
    opts.view_as(StandardOptions).streaming = True
    return opts


# The runner reads a TestStream's elements apart: their coder must be made of standard coders, and
# be the coder of the stream's output.
PAIRS = coders.TupleCoder([coders.StrUtf8Coder(), coders.VarIntCoder()])


def windowed_sums(p):
    events = (p | TestStream(coder=PAIRS).with_output_types(Tuple[str, int])
              .add_elements([window.TimestampedValue(("a", 1), 1), window.TimestampedValue(("b", 2), 3)])
              .advance_watermark_to(5)
              .add_elements([window.TimestampedValue(("a", 3), 8), window.TimestampedValue(("a", 4), 12)])
              .advance_watermark_to(15)
              .add_elements([window.TimestampedValue(("b", 5), 19)])
              .advance_watermark_to_infinity())
    sums = (events | beam.WindowInto(window.FixedWindows(10)) | beam.CombinePerKey(sum)
            | beam.Map(lambda kv, w=beam.DoFn.WindowParam: (kv[0], kv[1], int(w.start))))
    assert_that(sums, equal_to([("a", 4, 0), ("b", 2, 0), ("a", 4, 10), ("b", 5, 10)]))


def early_firings(p):
    """Panes of two elements each (discarding), then what is left when the watermark ends the window."""
    events = (p | TestStream(coder=PAIRS).with_output_types(Tuple[str, int])
              .add_elements([window.TimestampedValue(("k", 1), 1), window.TimestampedValue(("k", 2), 2)])
              .advance_watermark_to(3)
              .add_elements([window.TimestampedValue(("k", 3), 3), window.TimestampedValue(("k", 4), 4)])
              .advance_watermark_to(5)
              .add_elements([window.TimestampedValue(("k", 5), 5)])
              .advance_watermark_to_infinity())
    panes = (events
             | beam.WindowInto(window.FixedWindows(100),
                               trigger=trigger.AfterWatermark(early=trigger.AfterCount(2)),
                               accumulation_mode=trigger.AccumulationMode.DISCARDING)
             | beam.GroupByKey()
             | beam.MapTuple(lambda k, vs: (k, sorted(vs))))
    assert_that(panes, equal_to([("k", [1, 2]), ("k", [3, 4]), ("k", [5])]))


class BufferUntilWatermark(beam.DoFn):
    """Buffers each key's values in a bag until the watermark passes the latest one: a stateful DoFn
    whose event-time timer the TestStream's watermark fires."""
    BUFFER = userstate.BagStateSpec("buffer", coders.VarIntCoder())
    FLUSH = userstate.TimerSpec("flush", userstate.TimeDomain.WATERMARK)

    def process(self, kv, ts=beam.DoFn.TimestampParam, buffer=beam.DoFn.StateParam(BUFFER),
                flush=beam.DoFn.TimerParam(FLUSH)):
        buffer.add(kv[1])
        flush.set(ts)

    @userstate.on_timer(FLUSH)
    def on_flush(self, key=beam.DoFn.KeyParam, buffer=beam.DoFn.StateParam(BUFFER)):
        yield key, sorted(buffer.read())
        buffer.clear()


def stateful_timers(p):
    events = (p | TestStream(coder=PAIRS).with_output_types(Tuple[str, int])
              .add_elements([window.TimestampedValue(("a", 1), 1), window.TimestampedValue(("a", 2), 2),
                             window.TimestampedValue(("b", 3), 2)])
              .advance_watermark_to(10)
              .add_elements([window.TimestampedValue(("a", 4), 11)])
              .advance_watermark_to(20)
              .add_elements([window.TimestampedValue(("a", 5), 21), window.TimestampedValue(("a", 6), 22)])
              .advance_watermark_to_infinity())
    out = events | beam.ParDo(BufferUntilWatermark())
    assert_that(out, equal_to([("a", [1, 2]), ("b", [3]), ("a", [4]), ("a", [5, 6])]))


class EveryTwoSeconds(beam.DoFn):
    """A processing-time timer, set at the first element of a key, that the TestStream's clock fires."""
    SEEN = userstate.BagStateSpec("seen", coders.VarIntCoder())
    TICK = userstate.TimerSpec("tick", userstate.TimeDomain.REAL_TIME)

    def process(self, kv, seen=beam.DoFn.StateParam(SEEN), tick=beam.DoFn.TimerParam(TICK)):
        if not list(seen.read()):
            tick.set(Timestamp.now() + 2)
        seen.add(kv[1])

    @userstate.on_timer(TICK)
    def on_tick(self, key=beam.DoFn.KeyParam, seen=beam.DoFn.StateParam(SEEN)):
        yield key, sorted(seen.read())
        seen.clear()


def processing_time_timers(p):
    events = (p | TestStream(coder=PAIRS).with_output_types(Tuple[str, int])
              .add_elements([("a", 1), ("a", 2)])
              .advance_processing_time(60)
              .add_elements([("a", 3)])
              .advance_processing_time(60)
              .advance_watermark_to_infinity())
    out = events | beam.ParDo(EveryTwoSeconds())
    assert_that(out, equal_to([("a", [1, 2]), ("a", [3])]))


PIPELINES = {f.__name__: f for f in [windowed_sums, early_firings, stateful_timers, processing_time_timers]}


def main(argv):
    endpoint = argv[1]
    for name in argv[2:] or list(PIPELINES):
        with beam.Pipeline(options=streaming_options(endpoint)) as p:
            PIPELINES[name](p)
        print("PIPELINE-PASSED " + name, flush=True)


if __name__ == "__main__":
    main(sys.argv)
