"""Python pipelines on Sluice's job server, each checked with assert_that (a wrong result fails the
job, and the client exits non-zero). Usage: batch_pipelines.py JOB_ENDPOINT [NAME ...]"""

import os
import sys
import tempfile

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to
from apache_beam import coders
from apache_beam.transforms import userstate
from apache_beam.transforms import window
from apache_beam.utils.timestamp import Timestamp


def options(endpoint):
    return PipelineOptions([
        "--runner=PortableRunner",
        "--job_endpoint=" + endpoint,
        "--environment_type=LOOPBACK",
        # One pip freeze per job is staged otherwise: nothing here needs it.
        "--experiments=disable_logging_submission_environment",
    ])


def group_by_key(p):
    pairs = p | beam.Create([("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)])
    grouped = pairs | beam.GroupByKey() | beam.MapTuple(lambda k, vs: (k, sorted(vs)))
    assert_that(grouped, equal_to([("a", [1, 3]), ("b", [2, 5]), ("c", [4])]))


def combine_per_key(p):
    pairs = p | beam.Create([("k%d" % (i % 7), i) for i in range(1000)])
    sums = pairs | beam.CombinePerKey(sum)
    expected = {}
    for i in range(1000):
        expected["k%d" % (i % 7)] = expected.get("k%d" % (i % 7), 0) + i
    assert_that(sums, equal_to(list(expected.items())))


def combine_globally(p):
    total = p | beam.Create(range(1, 101)) | beam.CombineGlobally(sum)
    assert_that(total, equal_to([5050]))


def side_inputs(p):
    main = p | "main" >> beam.Create([1, 2, 3])
    factor = p | "factor" >> beam.Create([10])
    names = p | "names" >> beam.Create([(1, "one"), (2, "two"), (3, "three")])
    extra = p | "extra" >> beam.Create([100, 200])
    out = main | beam.Map(
        lambda x, f, d, xs: (d[x], x * f + sum(xs)),
        f=beam.pvalue.AsSingleton(factor),
        d=beam.pvalue.AsDict(names),
        xs=beam.pvalue.AsList(extra))
    assert_that(out, equal_to([("one", 310), ("two", 320), ("three", 330)]))


def flatten(p):
    a = p | "a" >> beam.Create([1, 2])
    b = p | "b" >> beam.Create([3])
    c = p | "c" >> beam.Create([4, 5])
    assert_that((a, b, c) | beam.Flatten(), equal_to([1, 2, 3, 4, 5]))


def fixed_windows(p):
    events = p | beam.Create([("k", 1, 1), ("k", 2, 5), ("k", 3, 12), ("j", 4, 13)])
    stamped = events | beam.Map(lambda e: window.TimestampedValue((e[0], e[1]), e[2]))
    sums = (stamped | beam.WindowInto(window.FixedWindows(10)) | beam.CombinePerKey(sum)
            | beam.ParDo(WithWindowStart()))
    assert_that(sums, equal_to([("k", 3, 0), ("k", 3, 10), ("j", 4, 10)]))


class WithWindowStart(beam.DoFn):
    def process(self, kv, w=beam.DoFn.WindowParam):
        yield kv[0], kv[1], int(w.start)


class Counting(beam.DoFn):
    def __init__(self):
        self.seen = beam.metrics.Metrics.counter("sluice", "elements_seen")

    def process(self, x):
        self.seen.inc()
        yield x


def metrics(endpoint):
    """A user counter, read back through the job service's metrics."""
    p = beam.Pipeline(options=options(endpoint))
    p | beam.Create(list(range(25))) | beam.ParDo(Counting())
    result = p.run()
    result.wait_until_finish()
    counters = result.metrics().query(
        beam.metrics.MetricsFilter().with_name("elements_seen"))["counters"]
    committed = sum(c.committed for c in counters)
    attempted = sum(c.attempted for c in counters)
    if committed != 25 or attempted != 25:
        raise AssertionError("elements_seen: committed %s, attempted %s, not 25: %s"
                             % (committed, attempted, counters))


def failing(p):
    """Not run by default: user code that throws, whose error must reach the client."""
    p | beam.Create([1, 2, 3]) | beam.Map(refuse_two)


def refuse_two(x):
    if x == 2:
        raise ValueError("user code refuses %d (sluice-test-failure)" % x)
    return x


def finalization(endpoint):
    """Bundle finalization: each element's callback runs once its bundle's output is durable, before
    the job ends. The LOOPBACK harness runs in this process, so the callbacks write a file here."""
    marks = tempfile.mkdtemp(prefix="sluice-finalized-")
    p = beam.Pipeline(options=options(endpoint))
    p | beam.Create(list(range(10))) | beam.ParDo(Finalizing(marks))
    p.run().wait_until_finish()
    finalized = sorted(int(name) for name in os.listdir(marks))
    if finalized != list(range(10)):
        raise AssertionError("finalized %s, not 0..9" % finalized)


class Finalizing(beam.DoFn):
    def __init__(self, marks):
        self.marks = marks

    def process(self, x, finalizer=beam.DoFn.BundleFinalizerParam):
        finalizer.register(lambda: open(os.path.join(self.marks, str(x)), "w").close())
        yield x


class CountAtEnd(beam.DoFn):
    """Per key: a count (read-modify-write), the values (bag), a sum (combining); all emitted by an
    event-time timer at the end of the window, which also clears them."""
    COUNT = userstate.ReadModifyWriteStateSpec("count", coders.VarIntCoder())
    VALUES = userstate.BagStateSpec("values", coders.VarIntCoder())
    TOTAL = userstate.CombiningValueStateSpec("total", combine_fn=sum)
    END = userstate.TimerSpec("end", userstate.TimeDomain.WATERMARK)

    def process(self, kv, w=beam.DoFn.WindowParam, count=beam.DoFn.StateParam(COUNT),
                values=beam.DoFn.StateParam(VALUES), total=beam.DoFn.StateParam(TOTAL),
                end=beam.DoFn.TimerParam(END)):
        count.write((count.read() or 0) + 1)
        values.add(kv[1])
        total.add(kv[1])
        end.set(w.max_timestamp())

    @userstate.on_timer(END)
    def at_end(self, key=beam.DoFn.KeyParam, w=beam.DoFn.WindowParam, count=beam.DoFn.StateParam(COUNT),
               values=beam.DoFn.StateParam(VALUES), total=beam.DoFn.StateParam(TOTAL)):
        yield key, count.read(), len(list(values.read())), total.read(), int(w.start) if isinstance(w, window.IntervalWindow) else -1
        count.clear()
        values.clear()
        total.clear()


def stateful_global(p):
    pairs = p | beam.Create([("k%d" % (i % 10), i) for i in range(1000)])
    out = pairs | beam.ParDo(CountAtEnd())
    assert_that(out, equal_to([("k%d" % k, 100, 100, sum(range(k, 1000, 10)), -1) for k in range(10)]))


def stateful_windows(p):
    events = p | beam.Create([("a", 1, 1), ("a", 2, 3), ("b", 5, 4), ("a", 7, 15), ("b", 1, 19), ("b", 2, 25)])
    stamped = events | beam.Map(lambda e: window.TimestampedValue((e[0], e[1]), e[2]))
    out = stamped | beam.WindowInto(window.FixedWindows(10)) | beam.ParDo(CountAtEnd())
    assert_that(out, equal_to([("a", 2, 2, 3, 0), ("b", 1, 1, 5, 0), ("a", 1, 1, 7, 10), ("b", 1, 1, 1, 10),
                               ("b", 1, 1, 2, 20)]))


class SortedDistinct(beam.DoFn):
    """Ordered list state (sorted by the value's own number, some cleared by range) and set state
    (distinct values), both read when a processing-time timer fires: in batch, once input has ended."""
    SORTED = userstate.OrderedListStateSpec("sorted", coders.StrUtf8Coder())
    DISTINCT = userstate.SetStateSpec("distinct", coders.StrUtf8Coder())
    LATER = userstate.TimerSpec("later", userstate.TimeDomain.REAL_TIME)

    def process(self, kv, sorted_=beam.DoFn.StateParam(SORTED), distinct=beam.DoFn.StateParam(DISTINCT),
                later=beam.DoFn.TimerParam(LATER)):
        n = kv[1]
        sorted_.add((Timestamp(micros=n * 1000), "v%d" % n))
        distinct.add("v%d" % (n % 3))
        later.set(Timestamp.now() + 1)

    @userstate.on_timer(LATER)
    def fire(self, key=beam.DoFn.KeyParam, sorted_=beam.DoFn.StateParam(SORTED),
             distinct=beam.DoFn.StateParam(DISTINCT)):
        # Values 10 up to 20 are dropped by range; what is left comes back in order.
        sorted_.clear_range(Timestamp(micros=10 * 1000), Timestamp(micros=20 * 1000))
        yield key, [v for _, v in sorted_.read()], sorted(distinct.read())


def ordered_and_set_state(p):
    pairs = p | beam.Create([("x", n) for n in [31, 5, 17, 2, 12, 40, 9, 25, -3]])
    out = pairs | beam.ParDo(SortedDistinct())
    assert_that(out, equal_to([("x", ["v-3", "v2", "v5", "v9", "v25", "v31", "v40"], ["v0", "v1", "v2"])]))


PIPELINES = {f.__name__: f for f in
             [group_by_key, combine_per_key, combine_globally, side_inputs, flatten, fixed_windows,
              stateful_global, stateful_windows, ordered_and_set_state]}
EVERY = dict(PIPELINES, failing=failing)
PROGRAMS = {"metrics": metrics, "finalization": finalization}


def main(argv):
    endpoint = argv[1]
    names = argv[2:] or list(PIPELINES) + list(PROGRAMS)
    for name in names:
        if name in PROGRAMS:
            PROGRAMS[name](endpoint)
        else:
            with beam.Pipeline(options=options(endpoint)) as p:
                EVERY[name](p)
        print("PIPELINE-PASSED " + name, flush=True)


if __name__ == "__main__":
    main(sys.argv)
