"""The catalogues: every message extracted, translated, with the same placeholders, compiled.

This is what `pybabel update --check` and Babel's plural checker do, plus the `{name}`
placeholders, which Babel does not check (its checker reads `%` formats, which no message uses). Run `make messages` to bring the catalogues up to date.
"""
from __future__ import annotations

import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.checkers import num_plurals
from babel.messages.catalog import TranslationError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from helpers import i18n
from helpers.config import REPO_ROOT

TRANSLATED = [language for language in i18n.LANGUAGES if language != "en"]


def catalogue_path(language: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def read_catalogue(path: Path):  # noqa: ANN201
    with path.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The messages in the code today, extracted as `make messages` does."""
    pot = tmp_path_factory.mktemp("messages") / "helpers.pot"
    keywords = re.search(r"^BABEL_KEYWORDS := (.*)$", (REPO_ROOT / "Makefile").read_text(), re.M).group(1).split()
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "--quiet", "extract", "-F", "babel.cfg",
                    *keywords, "-o", str(pot), "."], cwd=REPO_ROOT, check=True)
    return read_catalogue(pot)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_in_the_code_is_in_the_catalogue_and_nothing_else(extracted, language: str) -> None:
    catalogue = read_catalogue(catalogue_path(language))
    in_code = {message.id if isinstance(message.id, str) else message.id[0] for message in extracted if message.id}
    in_catalogue = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue if message.id}
    assert not in_code - in_catalogue, f"not in the {language} catalogue (make messages): {sorted(in_code - in_catalogue)[:5]}"
    assert not in_catalogue - in_code, f"no longer in the code (make messages): {sorted(in_catalogue - in_code)[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalogue = read_catalogue(catalogue_path(language))
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            problems.append(f"not translated: {ids[0]!r}")
            continue
        for text in strings:
            if placeholders(text) - {"count"} != placeholders(ids[0]) - {"count"}:
                problems.append(f"placeholders {sorted(placeholders(text))} in {text!r}, "
                                f"but {sorted(placeholders(ids[0]))} in {ids[0]!r}")
        try:  # Babel's checker of plural forms; its %-format checker does not apply: messages use {names}
            num_plurals(catalogue, message)
        except TranslationError as error:
            problems.append(f"{ids[0]!r}: {error}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_in_the_po_file(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(catalogue_path(language)))
    assert catalogue_path(language).with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        "the .mo file is older than its .po: make messages")


def test_the_language_is_workshop_lang_then_the_notebooks_edition_then_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WORKSHOP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert i18n.language() == "fr"
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")  # LC_ALL before LANG, as gettext reads them
    assert i18n.language() == "en"
    monkeypatch.chdir(i18n.EDITIONS / "fr")  # a kernel of a French notebook, on an English system
    assert i18n.language() == "fr"
    monkeypatch.chdir(i18n.EDITIONS)
    assert i18n.language() == "en"
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    assert i18n.language() == "fr"
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    monkeypatch.setenv("LC_ALL", "fr_CA.UTF-8")
    monkeypatch.chdir(i18n.EDITIONS / "fr")
    assert i18n.language() == "en"


def test_a_message_keeps_its_identity_and_numbers_are_written_as_the_language_writes_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    template = "{name}={raw!r} is not a whole number. Set it to one, or unset it to use the default ({default})."
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    english = i18n._(template, name="N", raw="x", default=20000.5)
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    french = i18n._(template, name="N", raw="x", default=20000.5)
    assert english.id == french.id == template and english.params == french.params
    assert english != french and "20000,5" in french and "20000.5" in english
    assert i18n._("{n:,}", n=20000) == "20\u202f000" and i18n._("{p:.0%}", p=0.37) == "37\u202f%"
    assert i18n._("{a}, {b}", a=True, b=False) == "oui, non"
    assert i18n._n("{count} error", "{count} errors", 1) != i18n._n("{count} error", "{count} errors", 2)


def test_a_notebook_shows_a_tables_labels_in_french_and_the_code_keeps_its_names(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """IPython's own display (a real shell): what `helpers.up()` sets in every notebook."""
    import pandas as pd
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    i18n.show_labels_in_language()
    table = pd.DataFrame({"requests/s": [1], "keys": [3]}).set_index(pd.Index(["a"], name="master"))
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    shown = shell.display_formatter.format(table)[0]
    french = [i18n._(name) for name in ("requests/s", "keys", "master")]
    assert all(word in shown["text/plain"] and word in shown["text/html"] for word in french), shown["text/plain"]
    assert "requests/s" not in shown["text/plain"] and list(table.columns) == ["requests/s", "keys"]
    assert i18n._("keys") in shell.display_formatter.format(table["keys"])[0]["text/plain"]
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    assert "requests/s" in shell.display_formatter.format(table)[0]["text/plain"]
