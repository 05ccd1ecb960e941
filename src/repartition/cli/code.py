"""`repartition code`: print the Python source generated from a charter."""

from __future__ import annotations

import argparse

from ._charter_options import charter_file


def register(commands) -> None:
    parser = commands.add_parser(
        "code", help="affiche le code Python généré",
        description="Affiche le code Python que repartition génère pour une charte (pour relecture), "
        "même si sa vérification échoue.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(charter_file(args.fichier).source, end="")
    return 0
