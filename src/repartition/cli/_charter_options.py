"""How commands name their charter: `--charte` and `--date` to route households, one file to check or show it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..charter import Charter

__all__ = ["add_charter_options", "charter_from", "charter_file"]


def add_charter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--charte", required=True, metavar="FICHIER",
                        help="fichier de charte (.regles), ou dossier de ses versions successives")
    parser.add_argument("--date", metavar="DATE",
                        help="date (AAAA-MM-JJ ou JJ/MM/AAAA) : la version de la charte en vigueur ce "
                        "jour-là est employée (par défaut, avec un dossier : aujourd'hui)")


def charter_from(args: argparse.Namespace) -> Charter:
    """The charter the options name: a file, or the version in force at the date in a folder."""
    from ..charter import load_charter

    return load_charter(args.charte, date=args.date, strict=getattr(args, "strict", False))


def charter_file(name: str | Path) -> Charter:
    """The charter of one rule file, loaded without its proof (the command checks or shows it).

    A folder of versions is refused rather than read at today's date behind the user's back.
    """
    from ..charter import load_charter
    from ..errors import RepartitionError

    if Path(name).is_dir():
        raise RepartitionError(f"« {name} » est un dossier : indiquez le fichier (.regles) de la version "
                               "voulue ; seuls « orienter » et « indicateurs » choisissent la version en "
                               "vigueur dans un dossier (--date)")
    return load_charter(name, verify=False)
