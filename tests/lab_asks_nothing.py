"""Exit 0 when the JupyterLab whose log is LOG serves a page that turns the news question off.

    python tests/lab_asks_nothing.py LOG TOKEN      (tests/as-binder.sh)

Reads JupyterLab's URL from its log (it may have moved to another port), waits for the page
at most two minutes, and checks its page config, as tests/browser/test_lab_command.py does.
"""
from __future__ import annotations

import json
import re
import sys
import time
import urllib.request
from pathlib import Path

NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


def disabled_extensions(page: str) -> list[str]:
    """The extensions a JupyterLab page turns off, from its page config (also
    tests/browser/test_lab_command.py)."""
    return json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])["disabledExtensions"]


def main(log: Path, token: str) -> int:
    for _ in range(240):
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text() if log.exists() else "")
        if found:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{found[1]}/lab?token={token}",
                                              timeout=2).read().decode()
                break
            except OSError:
                pass
        time.sleep(0.5)
    else:
        print(f"JupyterLab did not answer within two minutes; its log:\n{log.read_text()}")
        return 1
    if NEWS_PLUGIN not in disabled_extensions(page):
        print(f"JupyterLab would ask about Jupyter news: {NEWS_PLUGIN} is not disabled.")
        return 1
    print("JupyterLab (binder/start) opens without the news question.")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
