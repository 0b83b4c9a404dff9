"""Redis's own programs (redis-cli, redis-benchmark), run where the workshop's cluster runs.

On the local backend they run on this machine; on the docker backend inside the nodes'
network namespace (`docker exec`), from the image, so a student with Docker alone has them
too. Either way they reach the nodes at 127.0.0.1 and print the same thing. Notebook 01 runs
the course's `redis-cli --cluster create` with them, notebook 02 a terminal session, notebook 05
`redis-benchmark` and the scaling lab's `redis-cli --cluster` commands.
"""
from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import subprocess
import time
from collections.abc import Sequence

from helpers.cluster import seeds, workshop_cluster
from helpers.cluster.base import HOST, Backend, ClusterSpec, ClusterState
from helpers.config import Settings
from helpers.errors import WorkshopError
from helpers.i18n import _, _n
from helpers.resp import Tls

Cluster = tuple[Backend, ClusterState]  # a cluster the workshop started, and its backend

# The shell's `times` prints the CPU its children used (user, then system) on its last line
# (the line before is the shell's own):
# the program's own CPU, measured where it ran, on this machine or in a container.
_TIMED = ("sh", "-c", '"$@"; status=$?; times; exit $status', "sh")
# bash prints the locale's decimal point (0m1,500s in French), dash and busybox a dot.
_TIMES = re.compile(r"(\d+)m(\d+[.,]?\d*)s\s+(\d+)m(\d+[.,]?\d*)s\s*$")


def command(program: str, *arguments: str, timed: bool = False, terminal: bool = False,
            environment: dict[str, str] | None = None, cluster: Cluster | None = None) -> list[str]:
    """The command line that runs `program arguments...` where the cluster's nodes run (notebooks
    01, 02 and 05, through `run`, `shell`, `redis_cli_session` and helpers.measure).

    With timed=True the program runs under a shell whose `times` adds its CPU seconds
    as the last line of output (`cpu_seconds` reads it). terminal=True gives it the caller's
    terminal, and `environment` are variables it must see, also in a container. `cluster` is
    another cluster the workshop started, as (backend, state): notebook 07's TLS cluster.
    """
    if cluster:
        backend, state = cluster
        prefix = backend.tool_prefix(state, program, terminal, environment)
    elif Settings.from_env().cluster_url:  # an external cluster: the programs run on this machine
        if not shutil.which(program):
            raise WorkshopError(_(
                "{program} is not installed on this machine, where Redis's programs run when "
                "REDIS_CLUSTER_URL names the cluster. It comes with Redis (Debian/Ubuntu: sudo "
                "apt-get install redis-tools; macOS: brew install redis).", program=program))
        prefix = []
    else:
        backend, state = workshop_cluster()
        prefix = backend.tool_prefix(state, program, terminal, environment)
    return [*prefix, *(_TIMED if timed else ()), program, *arguments]


def login_options(program: str = "redis-cli", cluster: Cluster | None = None) -> list[str]:
    """The options that log Redis's own programs in to the cluster: `--user`, `-a PASSWORD` (and
    redis-cli's `--no-auth-warning`), and for a TLS cluster `--tls` with its CA and client
    certificate, as paths where the program runs; a REDIS_CLUSTER_URL's own, on this machine
    (notebooks 02, 05 and 07, and helpers.measure); `cluster` as for `command`."""
    if Settings.from_env().cluster_url and not cluster:
        _addresses, login = seeds()  # the URL's user, password and TLS settings, for this machine
        tls = login.tls
    else:
        backend, state = cluster or workshop_cluster()
        login, folder = state.login, backend.tool_certificates(state)
        tls = Tls.workshop(folder) if folder else None
    options = ["--user", login.username] if login.username else []
    if login.password:  # redis-benchmark has no --no-auth-warning
        options += ["-a", login.password, *(["--no-auth-warning"] if program == "redis-cli" else [])]
    return options + (tls.cli_options() if tls else [])


def shell(program: str) -> str:
    """`program` as shell text that runs it where the nodes run, for a notebook's `!` line
    (notebook 05): `redis-cli` locally, `docker exec CONTAINER redis-cli` on Docker."""
    return shlex.join(command(program))


def run(program: str, *arguments: str, timeout: float = 300.0, check: bool = True,
        cluster: Cluster | None = None) -> subprocess.CompletedProcess:
    """Run `program arguments...` where the nodes run and return what it printed (notebooks 01, 05).

    A program that fails (with check=True) raises a WorkshopError with the end of its output.
    `cluster` as for `command`.
    """
    # redis-cli colours its --cluster output whenever TERM contains "xterm" (isColorTerm() in
    # redis-cli.c), even into a pipe: a plain terminal type keeps escape codes out of notebooks.
    result = subprocess.run(command(program, *arguments, cluster=cluster), capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "TERM": "dumb"})
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
        shown = ["****" if before == "-a" else argument  # never a password in an error
                 for before, argument in zip(["", *arguments], arguments)]
        raise WorkshopError(_("`{command}` failed (exit {status}):\n{output}", command=" ".join([program, *shown]),
                              status=result.returncode, output=tail))
    return result


def redis_cli(line: str, refused: bool = False, listing: bool = False, timeout: float = 300.0) -> str:
    """What `redis-cli LINE` prints, run where the nodes run (notebook 05's scaling lab:
    `print(tools.redis_cli("--cluster check 127.0.0.1:7000", listing=True))`).

    `line` is what you would type after `redis-cli` in a terminal. The cluster's password goes
    first (`-a … --no-auth-warning`) when it has one. Long progress lines and runs of alike
    lines are shortened (`abridge`), and the node listing that every `--cluster` command
    prints first (`M: …`, `S: …` and their indented lines) is left out unless listing=True.
    A failing redis-cli raises a WorkshopError with its output; with refused=True the lab
    expects a refusal, and a success is the error.
    """
    result = run("redis-cli", *login_options(), *shlex.split(line), timeout=timeout, check=not refused)
    text = (result.stdout + result.stderr).rstrip()
    text = abridge(text if listing else _without_listing(text))
    if refused and result.returncode == 0:
        raise WorkshopError(_("`redis-cli {line}` was expected to refuse, and did not:\n{output}",
                              line=line, output=text))
    return text


def abridge(text: str, keep: int = 3) -> str:
    """redis-cli's output, shortened for a notebook (`redis_cli`): a line of one repeated progress
    mark becomes `####…  (1,024 ×)`, and a run of more than 2 × `keep` lines that begin alike
    (reshard's `Moving slot …`) keeps its first and last `keep` lines around a count."""
    lines = []
    for line in text.splitlines():
        marks = line.strip()
        if len(marks) > 40 and len(set(marks)) == 1:
            line = _("{marks}…  ({count:,} ×)", marks=marks[:40], count=len(marks))
        lines.append(line)
    shown, run_start = [], 0
    for index in range(len(lines) + 1):
        if index == len(lines) or _opening(lines[index]) != _opening(lines[run_start]):
            run = lines[run_start:index]
            if len(run) > 2 * keep and _opening(run[0]):
                left_out = _n("… {count:,} more line like these …", "… {count:,} more lines like these …",
                              len(run) - 2 * keep)
                shown += [*run[:keep], f"   {left_out}", *run[-keep:]]
            else:
                shown += run
            run_start = index
    return "\n".join(shown)


def _without_listing(text: str) -> str:
    """redis-cli's output without its node listings: `M: id address` and `S: id address` lines
    with the lines indented deeper under them (slots, replicas)."""
    kept, depth = [], None  # depth: the indentation of the listing line being skipped
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if re.match(r"\s*[MS]: [0-9a-f]{40} ", line):
            depth = indent
        elif depth is not None and indent > depth:
            continue
        else:
            depth = None
            kept.append(line)
    return "\n".join(kept)


def _opening(line: str) -> str:
    """What a line begins with before its first digit: alike lines share it (`Moving slot `)."""
    return re.split(r"\d", line, maxsplit=1)[0] if re.search(r"\d", line) else ""


def cpu_seconds(output: str) -> tuple[str, float]:
    """Split a timed run's output into what the program printed and the CPU seconds it used
    (notebook 05's benchmarks, helpers.measure.benchmark_cpu)."""
    lines = output.rstrip().splitlines()  # `times` prints two lines: the shell's, then its children's
    printed, found = "\n".join(lines[:-2]), _TIMES.search(lines[-1]) if len(lines) >= 2 else None
    if found is None:
        raise WorkshopError(_("No CPU times at the end of the output: {output!r}", output=output[-200:]))
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


# ---- a real `redis-cli -c` session, as a terminal shows it (notebook 02) -----------------------
# Escape codes (colour, cursor moves) that a terminal acts on and a notebook would print.
_ESCAPE_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# redis-cli's prompt (cliRefreshPrompt in redis-cli.c): host:port, then [db] when not 0 and
# (TX) inside MULTI; "not connected> " when it lost its node. It always starts a line.
_PROMPT = re.compile(r"(?:^|\n)(?:\S+:\d+(?:\[\d+\])?(?:\(TX\))?|not connected)> $")


def redis_cli_session(lines: Sequence[str], port: int | None = None, timeout: float = 10.0) -> str:
    """Type `lines` at a real `redis-cli -c -p PORT` in a terminal and return what the terminal
    shows: each prompt with the line typed after it, the replies, and redis-cli's own
    `-> Redirected to slot [N] located at 127.0.0.1:P` lines (notebook 02).

    redis-cli prints its prompt, and its replies as `"text"`, `(integer) 1`, `1) ...`, only when it
    runs in a terminal, so it gets a pseudo-terminal (TERM=dumb: no colours, no cursor moves).
    It runs where the nodes run: on Docker in `docker exec -it`, `-t` giving it a terminal inside
    the container too. `port` is a node of the workshop's cluster, the first one by default.
    Each prompt is awaited for at most `timeout` seconds. redis-cli ends with the session, as
    after Ctrl-D, and is killed if it does not: nothing is left running, error or not.
    """
    target = _session_target(port)
    typed = command("redis-cli", "-c", *target, terminal=True)  # what a student types
    if not hasattr(os, "openpty"):
        if "-a" in login_options():
            raise WorkshopError(_("This machine gives programs no pseudo-terminal (Windows), so the notebook "
                                  "cannot type at redis-cli: type the same lines yourself in a terminal, "
                                  "at `{command} -a <password>`.", command=shlex.join(typed)))
        raise WorkshopError(_("This machine gives programs no pseudo-terminal (Windows), so the notebook "
                              "cannot type at redis-cli: type the same lines yourself in a terminal, "
                              "at `{command}`.", command=shlex.join(typed)))
    quiet = {"TERM": "dumb", "REDISCLI_HISTFILE": "/dev/null"}  # no escape codes, no history file
    argv = command("redis-cli", "-c", *target, terminal=True, environment=quiet) + login_options()

    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal,
                                   env={**os.environ, **quiet}, start_new_session=True)
    except BaseException:
        os.close(controller)
        raise
    finally:
        os.close(terminal)  # redis-cli's end alone: reading then says when it exits
    try:
        shown = _until_prompt(controller, timeout)
        for line in lines:
            os.write(controller, line.encode() + b"\n")
            shown += _until_prompt(controller, timeout, line)
        return shown.rstrip()
    finally:
        _end_session(process, controller)
        os.close(controller)


def _session_target(port: int | None) -> list[str]:
    """`-p PORT` of a node of the workshop's cluster (its first by default), or `-h HOST -p PORT`
    of REDIS_CLUSTER_URL's node (or of `port` on its host)."""
    if Settings.from_env().cluster_url:
        [address], _login = seeds()
        host, _colon, first = address.rpartition(":")
        return ["-h", host, "-p", str(port or first)]
    backend, state = workshop_cluster()
    port = state.spec.ports[0] if port is None else port
    backend.check_node(state, port)
    return ["-p", str(port)]


def _screen_text(output: bytes) -> str:
    """What a terminal shows of `output`: escape codes acted on, not printed; CRLF as LF."""
    text = _ESCAPE_CODES.sub("", output.decode(errors="replace"))
    return re.sub(r"\r+\n", "\n", text).replace("\r", "")


def _until_prompt(controller: int, timeout: float, line: str | None = None) -> str:
    """What redis-cli's terminal shows until its next prompt, after `line` was typed (None: at its
    start); a WorkshopError if none comes within `timeout` seconds or redis-cli ends."""
    output, deadline = b"", time.monotonic() + timeout
    while not _PROMPT.search(_screen_text(output)):
        left = deadline - time.monotonic()
        printed = _screen_text(output).strip()[-300:] or _("nothing")
        if left <= 0 and line is None:
            raise WorkshopError(_("redis-cli showed no prompt within {timeout:g} s at its start; it printed: "
                                  "{output}", timeout=timeout, output=printed))
        if left <= 0:
            raise WorkshopError(_("redis-cli showed no prompt within {timeout:g} s after `{line}`; it printed: "
                                  "{output}", timeout=timeout, line=line, output=printed))
        if not select.select([controller], [], [], left)[0]:
            continue
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: Linux's word for a terminal whose program closed it
            chunk = b""
        if not chunk and line is None:
            raise WorkshopError(_("redis-cli ended at its start; it printed: {output}", output=printed))
        if not chunk:
            raise WorkshopError(_("redis-cli ended after `{line}`; it printed: {output}", line=line,
                                  output=printed))
        output += chunk
    return _screen_text(output)


def _end_session(process: subprocess.Popen, controller: int) -> None:
    """End redis-cli as a student would, Ctrl-D (the end of its input), then Ctrl-C (stops a
    command that blocks; in a container's terminal it interrupts redis-cli), then kill it."""
    for keys in (b"\x04", b"\x03\x04"):
        if process.poll() is not None:
            return
        try:
            os.write(controller, keys)
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        process.kill()
        process.wait()
