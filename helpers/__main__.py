"""The command line, for instructors and scripts (DESIGN.md, "Command line").

    python -m helpers up [--backend auto|local|docker|external] [--masters 3] [--replicas 1]
                         [--base-port 7000] [--node-timeout 5000] [--password SECRET] [--tls]
    python -m helpers status [--json]
    python -m helpers down [--purge]
    python -m helpers reset        (flush the cluster, write the course's five keys again)
    python -m helpers partition PORT [PORT ...]   (isolate those nodes from the others: notebook 06)
    python -m helpers heal         (reconnect every node; return once the cluster is whole)
    python -m helpers lab [up's options] [--lang en|fr] [-- JUPYTERLAB OPTIONS]
                                   (start or find the cluster, open JupyterLab: no make needed;
                                    in French, the French edition, notebooks/fr/)

A WorkshopError prints as one paragraph on stderr with exit code 1, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from helpers.cluster import down, format_status, status, up
from helpers.errors import WorkshopError
from helpers.config import BACKENDS
from helpers.i18n import LANGUAGES, _, _n, language
from helpers.partition import heal, partition


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    # argparse's own words (usage:, its errors) are Python's; the help texts are the workshop's.
    parser = argparse.ArgumentParser(prog="python -m helpers",
                                     description=_("Start, inspect and stop the workshop's Redis Cluster."))
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help=_("start the cluster (or find the running one)"))
    lab = commands.add_parser("lab", help=_("start (or find) the cluster, then open JupyterLab "
                                            "on the notebooks; options after -- go to JupyterLab"))
    for command in (start, lab):
        command.add_argument("--backend", choices=BACKENDS, default=None)
        command.add_argument("--masters", type=int)
        command.add_argument("--replicas", type=int)
        command.add_argument("--base-port", type=int)
        command.add_argument("--node-timeout", type=int, help=_("cluster-node-timeout, in milliseconds"))
        command.add_argument("--password", help=_("requirepass and masterauth for every node"))
        command.add_argument("--tls", action="store_true", default=None,
                             help=_("TLS only: a private CA in WORKSHOP_HOME/tls, tls-cluster, tls-replication"))
    lab.add_argument("--lang", choices=LANGUAGES,
                     help=_("the edition to open and JupyterLab's language (default: WORKSHOP_LANG, else your system's)"))
    report = commands.add_parser("status", help=_("show the cluster's nodes and health"))
    report.add_argument("--json", action="store_true", help=_("print machine-readable JSON"))
    stop = commands.add_parser("down", help=_("stop every node; data is kept unless --purge"))
    stop.add_argument("--purge", action="store_true", help=_("also remove the nodes' data"))
    commands.add_parser("reset", help=_("flush every key and write the course's dataset again"))
    cut = commands.add_parser("partition", help=_("isolate nodes from the rest of the cluster (local backend)"))
    cut.add_argument("ports", type=int, nargs="+", metavar="PORT", help=_("a node of one side"))
    commands.add_parser("heal", help=_("end the partition; return once the cluster is whole"))
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args, lab_options = parser.parse_args(argv[:split]), argv[split + 1:]
    if getattr(args, "lang", None):  # before anything speaks: up's messages, the kernels, JupyterLab
        os.environ["WORKSHOP_LANG"] = args.lang
    try:
        if args.command in ("up", "lab"):
            began = time.monotonic()
            state = up(backend=args.backend, masters=args.masters, replicas=args.replicas,
                       base_port=args.base_port, node_timeout=args.node_timeout,
                       password=args.password, tls=args.tls)
            print(_("Ready: {cluster} ({seconds:.1f} s).", cluster=repr(state),
                    seconds=time.monotonic() - began))
            if state.certificates:  # what another program needs: the CA, in a URL redis-py reads
                url = (f"rediss://127.0.0.1:{state.spec.base_port}?ssl_ca_certs="
                       f"{Path(state.certificates) / 'ca.crt'}")
                print(_("Over TLS: {url} (redis-cli: --tls --cacert that file)", url=url))
            if args.command == "lab":
                return open_lab(lab_options)
        elif args.command == "status":
            report = status()
            report_status(report, as_json=args.json)
            if report.get("error"):  # an external cluster that cannot be reached
                return 1
        elif args.command == "reset":
            print(reset())
        elif args.command == "partition":
            print(partition(args.ports))
        elif args.command == "heal":
            print(heal())
        else:
            print(down(purge=args.purge))
    except WorkshopError as error:
        print(_("error: {error}", error=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("Interrupted. Run `python -m helpers down` to stop anything half-started."),
              file=sys.stderr)
        return 130
    return 0


def open_lab(options: list[str]) -> int:
    """Run JupyterLab on notebooks/ until it stops, with the workshop's JupyterLab configuration
    (jupyter/: no news prompt); return its exit code. `make lab` and students without make.

    In French (`--lang fr`, `WORKSHOP_LANG=fr` or a French system) it opens the French edition,
    notebooks/fr/, and JupyterLab itself speaks French (jupyter/settings-fr: its language pack).
    """
    repo = Path(__file__).resolve().parent.parent
    config_path = [str(repo / "jupyter"), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]
    env = dict(os.environ, JUPYTER_CONFIG_PATH=os.pathsep.join(config_path))
    as_root = ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []
    french = ["--LabApp.default_url=/lab/tree/fr",
              f"--LabApp.app_settings_dir={repo / 'jupyter' / 'settings-fr'}"] if language() == "fr" else []
    command = [sys.executable, "-m", "jupyterlab", str(repo / "notebooks"), *as_root, *french, *options]
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:  # Ctrl-C stops JupyterLab; the cluster keeps running
        return 0


def reset() -> str:
    """Flush the running cluster and reload the course's dataset; say what was done."""
    from helpers.cluster import connect
    from helpers.data import COURSE_WRITES, reset_course_data
    client = connect()
    try:
        removed = reset_course_data(client)
    finally:
        client.close()
    return _n("Removed {count} key and wrote the course's {written} keys again "
              "(nom, lists:shopping, tags:post, user:profile, users:age).",
              "Removed {count} keys and wrote the course's {written} keys again "
              "(nom, lists:shopping, tags:post, user:profile, users:age).",
              removed, written=len(COURSE_WRITES))


def report_status(report: dict, as_json: bool) -> None:
    """Print `status()` as JSON or as a short table."""
    if as_json:
        print(json.dumps(report, indent=2))
        return
    if report.get("error"):
        print(_("error: {error}", error=report["error"]), file=sys.stderr)
        return
    print(format_status(report))


if __name__ == "__main__":
    sys.exit(main())
