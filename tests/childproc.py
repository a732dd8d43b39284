"""Run a child process and measure what it alone cost.

`resource.getrusage(RUSAGE_CHILDREN)` reports the largest peak of *any* child reaped so
far (Playwright's driver, say), so a bound read from it depends on which tests ran
before. `os.wait4` returns the rusage of the one child it reaps.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
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

    def limit() -> None:
        if address_space_mib is not None:
            cap = address_space_mib * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        preexec_fn=limit,
    )
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

    def kill() -> None:
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)  # reaps this child, and only this one
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    for reader in readers:
        reader.join()
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        stream.close()
    if expired.is_set():
        raise subprocess.TimeoutExpired(list(argv), timeout)
    return Finished(
        proc.returncode,
        b"".join(out),
        b"".join(err),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
    )
