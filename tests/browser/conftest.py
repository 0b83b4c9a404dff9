"""Browser screenshots go to tests/browser/screenshots/ (git-ignored), named at the end of the run."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def screenshot() -> Callable[[str], Path]:
    """A function giving the path for the screenshot `name`."""
    def path(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / f"{Path(name).stem}.png"
    return path


def pytest_terminal_summary(terminalreporter) -> None:
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")
