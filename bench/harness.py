"""Run commands interleaved, many times, and report medians: the shared benchmark harness.

Interleaving (A B C, A B C, ...) means a burst of load from other work on this shared
machine hits every command alike, so ratios stay meaningful when absolute times drift.
Each run records wall time, CPU time (user + system) and peak memory of the child.
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Command:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    terminal: bool = False  # stdout is a pseudo-terminal (the table path), else a pipe


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024


def _drain(fd: int) -> None:
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            return
        try:
            if not os.read(fd, 1 << 16):
                return
        except OSError:  # EIO: the child closed the terminal
            return


#: Starts the command and reports what it alone cost. Linux counts in a process's peak
#: memory the memory of the process it was started from, as it stood at exec (with
#: vfork, the parent's whole high-water mark): started from this harness, which grows
#: as it reads outputs, every child would look as big as the harness. A bare Python
#: (about 10 MiB) forks and execs the command, times it and reports its rusage.
_LAUNCHER = """
import json, os, sys, time
report, argv = int(sys.argv[1]), sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(report)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
cost = [code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]
os.write(report, json.dumps(cost).encode())
"""


def run_once(command: Command, base_env: Mapping[str, str]) -> tuple[float, float, int]:
    """One run: (wall seconds, cpu seconds, peak KiB), the command's own (`_LAUNCHER`).
    Output is read and thrown away."""
    import json
    import sys

    env = {**base_env, **command.env}
    report_read, report_write = os.pipe()
    argv = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report_write), *command.argv]
    if command.terminal:
        main, secondary = pty.openpty()
        proc = subprocess.Popen(
            argv, stdout=secondary, stderr=subprocess.DEVNULL, env=env, pass_fds=(report_write,)
        )
        os.close(secondary)
        os.close(report_write)
        _drain(main)
        os.close(main)
    else:
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            pass_fds=(report_write,),
        )
        os.close(report_write)
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
        proc.stdout.close()
    proc.wait()
    with os.fdopen(report_read, "rb") as report:
        code, wall, cpu, peak = json.loads(report.read() or b"[127, 0, 0, 0]")
    if code != 0:
        raise SystemExit(f"{command.name}: exit {code}: {' '.join(command.argv)}")
    return wall, cpu, peak


def measure(
    commands: Sequence[Command], rounds: int, base_env: Mapping[str, str], warmup: int = 1
) -> dict[str, Runs]:
    """Every command once per round, in the same order, after `warmup` unrecorded rounds."""
    results = {c.name: Runs() for c in commands}
    for round_number in range(warmup + rounds):
        for command in commands:
            wall, cpu, peak = run_once(command, base_env)
            if round_number >= warmup:
                runs = results[command.name]
                runs.wall.append(wall)
                runs.cpu.append(cpu)
                runs.peak_kib.append(peak)
    return results


def with_party_ids(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Records as `exchange` prints them: every party with its `id` (null when the file
    gives none) and every program with its `aliases` ([] when none), so jq's output of
    the same file compares equal."""
    for record in records:
        for party in record["parties"]:  # type: ignore[attr-defined]
            party.setdefault("id", None)
        if "aliases" not in record:  # (after the other fields, where exchange prints it)
            record["aliases"] = []
    return records


def machine() -> str:
    """One line naming the machine and Python, for the report."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}; load average at start {load}"
    )


def count_instructions(command: Command, base_env: Mapping[str, str]) -> int:
    """Instructions the command executes, counted by valgrind's callgrind.

    Unlike time, the count barely moves with load from other work on the machine, so
    its ratios are a steady second opinion on the timed ones.
    """
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command.argv]
    env = {**base_env, **command.env}
    if command.terminal:
        main, secondary = pty.openpty()
        proc = subprocess.Popen(argv, stdout=secondary, stderr=subprocess.PIPE, env=env)
        os.close(secondary)
        _drain(main)
        os.close(main)
        assert proc.stderr is not None
        report = proc.stderr.read().decode()
        proc.wait()
    else:
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        report = done.stderr.decode()
    for line in report.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    raise SystemExit(f"{command.name}: no instruction count from valgrind")
