"""How a command's cost grows with its input, measured so that no machine is too slow.

A bound that protects users ("time and memory grow with the input by a small factor,
whatever its shape") is asserted as a ratio measured in one test, on one machine: the
command's CPU time on an input `STEP` times larger against its time on the smaller one.
Linear work gives about `STEP`; quadratic work about `STEP` squared. CPU time, not wall
time: a loaded machine stretches both runs alike. Absolute timings live in bench/.

Every size runs in one child process, through `exchange_cli.cli.main.main` (what the
installed `exchange` script calls), one after another: start-up is paid once and
warmed up, so what is compared is the work alone, and small inputs suffice. The sizes
adapt to the machine: the smaller size doubles until it costs enough to measure
(`MEASURABLE`), so a slow machine compares smaller inputs and a fast one larger, and the
ratio means the same on both. Memory is the child's own peak beyond
what it held after a tiny input, bounded per MiB of the largest input: it does not
depend on the machine's speed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from childproc import Finished, run_measured

#: How much larger the larger input is. Linear work costs about STEP times more.
STEP = 8
#: The most a STEP-times larger input may cost, in times the smaller one's cost: twice
#: linear, room for noise, n log n and a larger input's worse use of the CPU's caches
#: (up to 1.7 times linear seen here); quadratic work (STEP ** 2 = 64) fails by far.
MOST_GROWTH = 2 * STEP
#: CPU seconds of work (process time, read in the process: nanoseconds) from which the
#: smaller input's measure is steady enough to compare (a busy neighbour on the same
#: core, caches and page faults make the rest of its noise).
MEASURABLE = 0.03
#: The smaller input's work is counted as at least this much.
NOISE = MEASURABLE / 2
MiB = 1024 * 1024


@dataclass
class Run:
    size: int
    bytes: int
    finished: Finished  # exit code, stdout, stderr, CPU seconds of this run alone
    peak_mib: float  # the child's peak after this run


@dataclass
class Growth:
    """What one test measured: a tiny input's run, the sizes searched, and the pair
    compared (each measured several times: the least disturbed measure counts)."""

    baseline: Run
    runs: list[Run]  # in the order run: the search, then the pair twice over

    @property
    def small(self) -> Run:
        return min(self._sized(self.runs[-1].size), key=lambda run: run.finished.cpu_seconds)

    @property
    def large(self) -> Run:
        return min(self._sized(self.runs[-2].size), key=lambda run: run.finished.cpu_seconds)

    def _sized(self, size: int) -> list[Run]:
        return [run for run in self.runs if run.size == size]

    @property
    def peak_mib(self) -> float:
        return max(run.peak_mib for run in self.runs)

    def work(self, run: Run) -> float:
        """CPU seconds of the run: its fixed part (a tiny input's, a few milliseconds) is
        small beside a measurable one, so it is not taken off (that would add its noise)."""
        return run.finished.cpu_seconds

    @property
    def measurable(self) -> bool:
        """Whether the pair cost enough work for the ratio to mean something."""
        return self.work(self.small) >= MEASURABLE or self.work(self.large) >= STEP * MEASURABLE

    @property
    def ratio(self) -> float:
        return self.work(self.large) / max(self.work(self.small), NOISE)

    def memory_beyond_baseline(self) -> float:
        return max(self.peak_mib - self.baseline.peak_mib, 0.0)

    def __str__(self) -> str:
        sizes: dict[int, list[Run]] = {}
        for run in [self.baseline, *self.runs]:
            sizes.setdefault(run.bytes, []).append(run)
        shown = "; ".join(
            f"{size:,} B: " + "/".join(f"{r.finished.cpu_seconds:.3f}" for r in runs) + " s"
            for size, runs in sizes.items()
        )
        return (
            f"{shown}; peak {self.baseline.peak_mib:.0f} -> {self.peak_mib:.0f} MiB; "
            f"work ratio {self.ratio:.1f} (linear ≈ {STEP}, at most {MOST_GROWTH})"
        )


def measure_growth(
    make: Callable[[int], Path],
    args: Callable[[Path], Sequence[str]],
    *,
    start: int,
    largest: int,
    check: Callable[[Finished], None],
    smallest: int = 1,
    scratch: Path,
    env: dict[str, str] | None = None,
    environ: Callable[[int], dict[str, str]] | None = None,
    limit_mib: int = 1024,
    first_loads: bool = False,
) -> Growth:
    """Run `exchange *args(make(size))` for `smallest` (twice: the first warms up), then
    for `start`, `2 * start`, ... until one costs `MEASURABLE` CPU seconds (or the next
    would leave no room below `largest`), then for `STEP` times that size. `check` is
    applied to every run (each must end as expected); `environ` gives the variables a
    run of each size sets (a terminal's width, say). With `first_loads`, every run has
    an empty cache of its own (`XDG_CACHE_HOME`), so each builds its store."""
    jump = STEP.bit_length() - 1  # doublings from the smaller size to the larger
    sizes = [start]
    while sizes[-1] * 2 <= largest:
        sizes.append(sizes[-1] * 2)
    assert len(sizes) > jump, "the sizes must allow one pair"
    sizes = [smallest, smallest, *sizes]
    paths = [make(size) for size in sizes]
    plan = {
        "argvs": [list(args(path))[1:] for path in paths],
        "envs": [environ(size) if environ else {} for size in sizes],
        "dir": str(scratch),
        "measurable": MEASURABLE,
        "jump": jump,
        "first_loads": first_loads,
    }
    child = run_measured(
        [sys.executable, "-c", _DRIVER, json.dumps(plan)],
        env=env,
        timeout=600,
        address_space_mib=limit_mib,
    )
    assert child.returncode == 0, child.stderr.decode("utf-8", "replace")[-2000:]
    runs = []
    for index, code, cpu, peak_kib in json.loads(child.stdout):
        out = (scratch / f"{index}.out").read_bytes()
        err = (scratch / f"{index}.err").read_bytes()
        finished = Finished(code, out, err, cpu, peak_kib / 1024)
        check(finished)
        runs.append(Run(sizes[index], paths[index].stat().st_size, finished, peak_kib / 1024))
    return Growth(runs[1], runs[2:])


def assert_linear(grown: Growth, *, mib_per_mib: float) -> None:
    """The cost grew about linearly, and the peak memory beyond a tiny input's stayed
    within `mib_per_mib` MiB per MiB of the largest input (plus 8 MiB of slack)."""
    print(f"growth: {grown}")  # shown by `pytest -s` and in a failure's report
    if grown.measurable:
        assert grown.ratio <= MOST_GROWTH, str(grown)
    allowed = mib_per_mib * grown.large.bytes / MiB + 8
    assert grown.memory_beyond_baseline() <= allowed, f"{grown} (memory allowed: {allowed:.0f})"


#: Runs argvs[0] and argvs[1] (tiny: a warm-up, then the baseline), then argvs[2], ...
#: until one costs `measurable` CPU seconds or is the last that has a
#: partner `jump` places on; then that partner and the smaller again, twice over, so
#: that each of the pair has several measures (the least disturbed counts). Each run's
#: stdout and stderr go to `dir/N.out|err`; it prints [N, exit code, CPU seconds, peak
#: KiB so far] for each run, in the order run.
_DRIVER = r"""
import gc, json, os, resource, sys, time
plan = json.loads(sys.argv[1])
argvs, jump = plan["argvs"], plan["jump"]
report, saved = os.fdopen(os.dup(1), "w"), {1: os.dup(1), 2: os.dup(2)}
from exchange_cli.cli.main import main

def run(index):
    sys.stdout.flush(); sys.stderr.flush()
    for fd, suffix in ((1, "out"), (2, "err")):
        name = os.path.join(plan["dir"], f"{index}.{suffix}")
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    gc.collect()
    os.environ.update(plan["envs"][index])
    if plan["first_loads"]:
        os.environ["XDG_CACHE_HOME"] = os.path.join(plan["dir"], f"cache-{len(results)}")
    try:
        start = time.process_time()
        code = main(argvs[index])
        cpu = time.process_time() - start
    finally:  # a crash's traceback goes to the test, not to a run's file
        sys.stdout.flush(); sys.stderr.flush()
        for fd, original in saved.items():
            os.dup2(original, fd)
    results.append([index, code, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss])
    return cpu

results = []
run(0)
run(1)
for index in range(2, len(argvs) - jump):
    if run(index) >= plan["measurable"] or index == len(argvs) - jump - 1:
        for _ in range(2):
            run(index + jump)
            run(index)
        break
report.write(json.dumps(results))
report.flush()
"""
