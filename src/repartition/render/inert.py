"""Charter text made inert for any page: characters no terminal, HTML or XML file should receive are replaced."""

from __future__ import annotations

import html

from ..dsl.characters import FORBIDDEN_IN_RULES

__all__ = ["inert", "escape"]


def inert(text: object) -> str:
    """The text with each control (but tab and line ends) or other forbidden character shown as U+FFFD.

    Rule files and tables refuse these characters already; this keeps a page valid (XML allows
    none of them) whatever model it is given.
    """
    return FORBIDDEN_IN_RULES.sub("\ufffd", str(text))


def escape(text: object) -> str:
    """The text for HTML or SVG: inert, with `&`, `<`, `>` and quotes escaped."""
    return html.escape(inert(text))
