"""The student's language, and the one way the workshop writes a message in it.

Every sentence the helpers show a student (errors, exercises, charts, progress bars, the
doctor, the use cases) is a template in English, translated with the catalogue of the
student's language and then filled in:

    _("Port {port} is already in use.", port=7000)

The catalogues are `helpers/locale/<language>/LC_MESSAGES/helpers.po` (gettext, extracted by
Babel: `make messages`), compiled to the `.mo` files read here with the standard library. A
template kept as data (an exercise's hint, a DataFrame's column name) is marked `N_(...)`
where it is written and translated where it is shown, `_(hint)`. The notebooks call `_` as
`tr` (IPython keeps `_` for the last result). Numbers filled in are written as the language
writes them (`20 000,5` in French).

The language is `WORKSHOP_LANG` (`en`, `fr`); else, in a notebook of the French edition
(`notebooks/fr/`, where its kernel runs), French; else the locale's (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`, then the system's); else English. Used by every module and notebook.
"""
from __future__ import annotations

import functools
import gettext
import locale
import numbers
import os
import string
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "fr")
DOMAIN = "helpers"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
EDITIONS = Path(__file__).resolve().parent.parent / "notebooks"  # notebooks/fr/: the French edition


def language() -> str:
    """The student's language, `en` or `fr`: `WORKSHOP_LANG`, else the notebook edition's (a kernel
    runs in its notebook's folder), else the locale's, else `en`."""
    chosen = os.environ.get("WORKSHOP_LANG", "").strip().lower()
    if chosen:
        return chosen[:2] if chosen[:2] in LANGUAGES else "en"
    try:  # a notebook's kernel runs in the notebook's folder: notebooks/fr/ is the French edition
        here = Path.cwd()
    except OSError:
        here = None
    if here is not None and here.parent == EDITIONS and here.name in LANGUAGES:
        return here.name
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:  # the first one set decides, as gettext does ("fr_FR.UTF-8", "fr:en")
            return "fr" if value.lower().startswith("fr") else "en"
    system = locale.getlocale()[0] or ""  # Windows sets no variable: "French_France", "fr_FR"
    return "fr" if system.lower().startswith("fr") else "en"


class Message(str):
    """A message in the student's language that remembers which one it is.

    `id` is its English template (its gettext msgid), `params` the values filled in: tests
    check a message by these, in any language. It is a `str` everywhere else.
    """

    id: str
    params: dict[str, Any]

    def __new__(cls, text: str, id: str, params: dict[str, Any]) -> "Message":
        message = super().__new__(cls, text)
        message.id, message.params = id, params
        return message


def _(template: str, /, **params: Any) -> Message:
    """`template` in the student's language, its `{names}` filled in with `params`."""
    chosen = language()
    return _fill(chosen, _catalogue(chosen).gettext(template), template, params)


def _n(singular: str, plural: str, count: int, /, **params: Any) -> Message:
    """`_` for a message whose words follow a number: `count` picks the form, `{count}` shows it."""
    params, chosen = {"count": count, **params}, language()
    return _fill(chosen, _catalogue(chosen).ngettext(singular, plural, count), singular, params)


def number(value: Any, spec: str = ",") -> str:
    """`value` written as the student's language writes numbers (`20 000,5` in French): a
    chart's bar labels, a prediction's figures (notebooks 03, 04, 05)."""
    return _Numbers(language()).format_field(value, spec)


def N_(template: str) -> str:
    """Mark a template kept as data, so that it is extracted; `_(template)` where it is shown."""
    return template


tr = _  # the notebooks' name for `_`
tr_n = _n


def label(name: Any) -> Any:
    """A table's column or row label as shown: translated when the catalogue has it (the names
    the code indexes by are marked `N_` where the table is built), else as it is."""
    return _catalogue(language()).gettext(name) if isinstance(name, str) and name else name


def show_labels_in_language() -> None:
    """In a notebook, show every DataFrame's and Series' labels in the student's language.

    The table itself keeps its names (`grid["requests/s"]` works in every language); only what
    is displayed changes. Nothing happens outside IPython or in English. `helpers.up` calls it.
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    import pandas  # a notebook has it already

    def shown(table: Any) -> Any:  # a copy with its labels, and the names of its axes, translated
        if language() == "en":
            return table
        if isinstance(table, pandas.Series):
            return table.rename(label(table.name)).rename(index=label).rename_axis(index=label)
        return table.rename(index=label, columns=label).rename_axis(index=label, columns=label)

    def html(table: Any) -> str | None:
        return shown(table)._repr_html_()

    def plain(table: Any, printer: Any, cycle: bool) -> None:
        printer.text(repr(shown(table)))

    for kind in (pandas.DataFrame, pandas.Series):
        formatters["text/plain"].for_type(kind, plain)
    formatters["text/html"].for_type(pandas.DataFrame, html)


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


class _Numbers(string.Formatter):
    """Fills in numbers and yes/no as the language writes them: French groups digits with a
    narrow no-break space, writes a decimal comma and a space before %, and oui / non."""

    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if self.language == "fr" and type(value).__name__ in ("bool", "bool_") and not format_spec:
            return "oui" if value else "non"  # Python's True, numpy's True_ alike
        text = super().format_field(value, format_spec)
        if self.language == "fr" and isinstance(value, numbers.Number) and not isinstance(value, bool):
            text = text.replace(",", "\u202f").replace(".", ",")
            if format_spec.endswith("%"):
                text = text[:-1] + "\u202f%"
        return text


def _fill(chosen: str, text: str, template: str, params: dict[str, Any]) -> Message:
    if params:
        text = _Numbers(chosen).vformat(text, (), params)
    return Message(text, template, params)


def extract_notebook(fileobj, keywords, comment_tags, options):  # noqa: ANN001, ANN201
    """Babel's extractor for a notebook's MyST source: the messages in its code cells.

    `babel.cfg` maps `notebooks/*.md` to it; `make messages` runs it. Lines that are not
    Python (`!shell`, `%magic`) are blanked, so that line numbers stay the file's.
    """
    from io import BytesIO

    from babel.messages.extract import extract_python

    lines, in_code = [], False
    for line in fileobj.read().decode("utf-8").splitlines():
        if line.startswith("```{code-cell}"):
            in_code, line = True, ""
        elif in_code and line.startswith("```"):
            in_code, line = False, ""
        elif not in_code or line.lstrip().startswith(("!", "%")):
            line = ""
        lines.append(line)
    code = BytesIO("\n".join(lines).encode("utf-8"))
    yield from extract_python(code, keywords, comment_tags, {**options, "encoding": "utf-8"})
