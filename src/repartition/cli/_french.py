"""French wording for argparse: its own messages (usage, errors, help headings), and French guillemets kept whole."""

from __future__ import annotations

import argparse
import contextlib

_MESSAGES = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "expected one argument": "une valeur est attendue",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide pour %(type)s : %(value)r",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "expected at least one argument": "au moins une valeur est attendue",
}


def _translate(message: str) -> str:
    return _MESSAGES.get(message, message)


@contextlib.contextmanager
def messages():
    """Translate argparse's messages while the command line runs, then put them back."""
    original = argparse._
    argparse._ = _translate
    try:
        yield
    finally:
        argparse._ = original


class Parser(argparse.ArgumentParser):
    """The command line's parser; its sub-command parsers are of the same class, hence laid out alike."""

    def __init__(self, *args, formatter_class=None, **kwargs):
        super().__init__(*args, formatter_class=formatter_class or _Formatter, **kwargs)


class _Formatter(argparse.HelpFormatter):
    """Never breaks a line between a guillemet and its word (« service » stays whole); a space
    before the colon of headings, as French writes it."""

    def start_section(self, heading):
        super().start_section(f"{heading} " if heading else heading)

    def _fill_text(self, text, width, indent):
        return super()._fill_text(_glued(text), width, indent)

    def _split_lines(self, text, width):
        return super()._split_lines(_glued(text), width)


def _glued(text: str) -> str:
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
