"""Every setting of the workshop, read from the environment with defaults.

Used by every notebook (through `helpers.up` and `helpers.connect`) and by the
command line (`python -m helpers`). Reading settings changes nothing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import WorkshopError
from helpers.i18n import LANGUAGES, _

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
        """Read `WORKSHOP_*` (`WORKSHOP_LANG` included), `REDIS_CLUSTER_URL` and `REDIS_IMAGE` (all notebooks)."""
        env = os.environ
        _check_language(env)  # helpers.i18n reads WORKSHOP_LANG; a wrong value is refused here
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
        raise WorkshopError(_("{name}={raw!r} is not a whole number. Set it to one, or unset it "
                              "to use the default ({default}).", name=name, raw=raw, default=default)) from None


def _check_language(env: os._Environ) -> None:
    """Refuse a `WORKSHOP_LANG` that is not a language of the workshop (unset: follow the locale)."""
    raw = env.get("WORKSHOP_LANG", "").strip()
    if raw and raw[:2].lower() not in LANGUAGES:
        raise WorkshopError(_("WORKSHOP_LANG={raw!r} is not a language of the workshop ({languages}). "
                              "Set it to one of them, or unset it to follow your system's language.",
                              raw=raw, languages=", ".join(LANGUAGES)))
