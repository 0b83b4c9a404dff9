"""Every setting of the workshop, read from the environment with defaults.

Used by every notebook (through `helpers.up` and `helpers.connect`) and by the
command line (`python -m helpers`). Reading settings changes nothing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import WorkshopError

REPO_ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("auto", "local", "docker", "external")


@dataclass(frozen=True)
class Settings:
    """The workshop's settings; `Settings.from_env()` reads them."""

    backend: str = "auto"
    home: Path = REPO_ROOT / ".workshop"
    base_port: int = 7000
    masters: int = 3
    replicas: int = 1
    node_timeout: int = 5000
    cluster_url: str | None = None
    redis_image: str | None = None

    @classmethod
    def from_env(cls) -> "Settings":
        """Read `WORKSHOP_*`, `REDIS_CLUSTER_URL` and `REDIS_IMAGE` (all notebooks)."""
        env = os.environ
        return cls(
            backend=env.get("WORKSHOP_BACKEND", cls.backend),
            home=Path(env.get("WORKSHOP_HOME") or cls.home).expanduser().resolve(),
            base_port=_int(env, "WORKSHOP_BASE_PORT", cls.base_port),
            masters=_int(env, "WORKSHOP_MASTERS", cls.masters),
            replicas=_int(env, "WORKSHOP_REPLICAS", cls.replicas),
            node_timeout=_int(env, "WORKSHOP_NODE_TIMEOUT", cls.node_timeout),
            cluster_url=env.get("REDIS_CLUSTER_URL") or None,
            redis_image=env.get("REDIS_IMAGE") or None,
        )


def _int(env: os._Environ, name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise WorkshopError(f"{name}={raw!r} is not a whole number. Set it to one, or unset it "
                            f"to use the default ({default}).") from None
