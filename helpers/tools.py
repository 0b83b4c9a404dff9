"""Redis's own programs (redis-cli, redis-benchmark), run where the workshop's cluster runs.

On the local backend they run on this machine; on the docker backend inside the nodes'
network namespace (`docker exec`), from the image, so a student with Docker alone has them
too. Either way they reach the nodes at 127.0.0.1 and print the same thing. Notebook 01 runs
the course's `redis-cli --cluster create` with them, notebook 05 `redis-benchmark`.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess

from helpers.cluster import workshop_cluster
from helpers.cluster.base import HOST, ClusterSpec
from helpers.errors import WorkshopError

# The shell's `times` prints the CPU its children used (user, then system) on its last line
# (the line before is the shell's own):
# the program's own CPU, measured where it ran, on this machine or in a container.
_TIMED = ("sh", "-c", '"$@"; status=$?; times; exit $status', "sh")
# bash prints the locale's decimal point (0m1,500s in French), dash and busybox a dot.
_TIMES = re.compile(r"(\d+)m(\d+[.,]?\d*)s\s+(\d+)m(\d+[.,]?\d*)s\s*$")


def command(program: str, *arguments: str, timed: bool = False) -> list[str]:
    """The command line that runs `program arguments...` where the cluster's nodes run (notebooks 01
    and 05, through `run`, `shell` and helpers.measure).

    With timed=True the program runs under a shell whose `times` adds its CPU seconds
    as the last line of output (`cpu_seconds` reads it).
    """
    backend, state = workshop_cluster()
    prefix = backend.tool_prefix(state, program)
    return [*prefix, *(_TIMED if timed else ()), program, *arguments]


def shell(program: str) -> str:
    """`program` as shell text that runs it where the nodes run, for a notebook's `!` line
    (notebook 05): `redis-cli` locally, `docker exec CONTAINER redis-cli` on Docker."""
    return shlex.join(command(program))


def run(program: str, *arguments: str, timeout: float = 300.0, check: bool = True) -> subprocess.CompletedProcess:
    """Run `program arguments...` where the nodes run and return what it printed (notebooks 01, 05).

    A program that fails (with check=True) raises a WorkshopError with the end of its output.
    """
    # redis-cli colours its --cluster output whenever TERM contains "xterm" (isColorTerm() in
    # redis-cli.c), even into a pipe: a plain terminal type keeps escape codes out of notebooks.
    result = subprocess.run(command(program, *arguments), capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "TERM": "dumb"})
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
        shown = ["****" if before == "-a" else argument  # never a password in an error
                 for before, argument in zip(["", *arguments], arguments)]
        raise WorkshopError(f"`{program} {' '.join(shown)}` failed (exit {result.returncode}):\n{tail}")
    return result


def cpu_seconds(output: str) -> tuple[str, float]:
    """Split a timed run's output into what the program printed and the CPU seconds it used
    (notebook 05's benchmarks, helpers.measure.benchmark_cpu)."""
    lines = output.rstrip().splitlines()  # `times` prints two lines: the shell's, then its children's
    printed, found = "\n".join(lines[:-2]), _TIMES.search(lines[-1]) if len(lines) >= 2 else None
    if found is None:
        raise WorkshopError(f"No CPU times at the end of the output: {output[-200:]!r}")
    minutes_user, user, minutes_system, system = found.groups()
    seconds = 60 * int(minutes_user) + float(user.replace(",", ".")) + 60 * int(minutes_system)
    return printed, seconds + float(system.replace(",", "."))


def create_cluster_arguments(spec: ClusterSpec) -> list[str]:
    """redis-cli's arguments for the course's way: `--cluster create ... --cluster-replicas R
    --cluster-yes` (notebooks 01 and 05 through `create_with_redis_cli`; bench/cluster_startup.py)."""
    arguments = ["--cluster", "create", *[f"{HOST}:{port}" for port in spec.ports],
                 "--cluster-replicas", str(spec.replicas), "--cluster-yes"]
    if spec.password:
        arguments += ["-a", spec.password, "--no-auth-warning"]
    return arguments


def create_with_redis_cli(spec: ClusterSpec) -> subprocess.CompletedProcess:
    """`redis-cli --cluster create` on the nodes of `spec`, as the course does (notebooks 01 and 05)."""
    return run("redis-cli", *create_cluster_arguments(spec))
