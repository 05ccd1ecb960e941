"""The `--charte` and `--date` options shared by the commands that route households."""

from __future__ import annotations

import argparse

from ..charter import Charter, load_charter

__all__ = ["add_charter_options", "charter_from"]


def add_charter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--charte", required=True, metavar="FICHIER",
                        help="fichier de charte (.regles), ou dossier de ses versions successives")
    parser.add_argument("--date", metavar="DATE",
                        help="date (AAAA-MM-JJ ou JJ/MM/AAAA) : la version de la charte en vigueur ce "
                        "jour-là est employée (par défaut, avec un dossier : aujourd'hui)")


def charter_from(args: argparse.Namespace) -> Charter:
    """The charter the options name: a file, or the version in force at the date in a folder."""
    return load_charter(args.charte, date=args.date)
