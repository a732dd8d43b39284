"""Run a child process and measure what it alone cost.

`resource.getrusage(RUSAGE_CHILDREN)` reports the largest peak of *any* child reaped so
far (Playwright's driver, say), so a bound read from it depends on which tests ran
before. `os.wait4` returns the rusage of the one child it reaps; but Linux counts in a
process's peak the memory of the process it was forked from, as it stood when the
child called exec. Forked from pytest, whose own size depends on the tests that ran
before (150 MiB on Python 3.13 after the browser tests), every child would look that
big. So the command is started by a small launcher (`_LAUNCHER`: a bare Python, about
10 MiB), which sets the limits, forks and execs it, and reports its rusage: the peak
measured is the command's own, plus at most the launcher's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Finished:
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # the child's own user + system time: steady on a busy machine
    peak_mib: float  # the child's own peak resident memory


def _drain(stream: object, into: list[bytes]) -> None:
    read = stream.read  # type: ignore[attr-defined]
    while chunk := read(1 << 16):
        into.append(chunk)


def run_measured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
    stdin: bytes | None = None,
    address_space_mib: int | None = None,
    cwd: str | None = None,
) -> Finished:
    """Run `argv` to completion; its exit code, output, CPU time and peak memory.

    `address_space_mib` caps the child's virtual memory (RLIMIT_AS), so a runaway
    allocation fails inside the child instead of exhausting the test machine.
    """

    report_read, report_write = os.pipe()
    cap = str(address_space_mib * 1024 * 1024 if address_space_mib is not None else -1)
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report_write), cap]
    proc = subprocess.Popen(
        [*launcher, *argv],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        pass_fds=(report_write,),
        start_new_session=True,
    )
    os.close(report_write)
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, out), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    if stdin is not None:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # the child may stop reading early
            proc.stdin.write(stdin)
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
    expired = threading.Event()

    def kill() -> None:  # the launcher and the command: they share a process group
        expired.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        with os.fdopen(report_read, "rb") as report:
            measured = report.read()
        proc.wait()
    finally:
        timer.cancel()
    for reader in readers:
        reader.join()
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        stream.close()
    if expired.is_set() or not measured:
        raise subprocess.TimeoutExpired(list(argv), timeout)
    returncode, cpu, peak_kib = json.loads(measured)
    return Finished(returncode, b"".join(out), b"".join(err), cpu, peak_kib / 1024)


#: Sets RLIMIT_AS (when not -1), runs the command as its own child, and writes
#: [exit code as subprocess reports it, the child's CPU seconds, its peak KiB] to the
#: report pipe. A timeout kills both: they share a new process group.
_LAUNCHER = """
import json, os, resource, sys
report, cap, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    os.close(report)
    if cap >= 0:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
os.write(report, json.dumps([code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]).encode())
sys.exit(0)
"""


_ORDINARY: list[float] = []


def ordinary_run_cpu() -> float:
    """CPU seconds of an ordinary run of the installed command on this machine (listing
    a small catalogue read afresh; the least of three): the yardstick for bounds that
    say "costs no more than a few ordinary runs", whatever the machine's speed."""
    if not _ORDINARY:
        from pathlib import Path

        exchange = Path(sys.executable).parent / "exchange"
        small = Path(__file__).parent / "fixtures" / "small.yaml"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
        argv = [str(exchange), "list", "--no-cache", "--data", str(small)]
        runs = [run_measured(argv, env=env, timeout=120) for _ in range(3)]
        assert all(run.returncode == 0 for run in runs), runs[0].stderr
        _ORDINARY.append(min(run.cpu_seconds for run in runs))
    return _ORDINARY[0]
