"""Checking a message by its identity (which template, which values), in any language.

A message of the workshop is an `helpers.i18n.Message`: its `id` is its English template,
the same in every language. Tests ask `said(error, "Port {port} is not a node", port=1)`
instead of matching English words, so that they pass, and mean the same, in French.
"""
from __future__ import annotations

from typing import Any

from helpers.i18n import Message


def message_of(thing: BaseException | str) -> Message:
    """The message an error was raised with, or the message itself."""
    message = thing.args[0] if isinstance(thing, BaseException) else thing
    assert isinstance(message, Message), f"not a message of the catalogue: {message!r}"
    return message


def said(thing: BaseException | str, template_start: str, **params: Any) -> bool:
    """Whether `thing` is the message whose template starts with `template_start`, with at
    least `params` filled in (asserting, so that pytest shows what was said instead)."""
    message = message_of(thing)
    assert message.id.startswith(template_start), f"said {message.id!r}, not {template_start!r}…"
    for name, value in params.items():
        assert message.params.get(name) == value, f"{name}={message.params.get(name)!r}, not {value!r}"
    return True
