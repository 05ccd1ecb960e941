"""`repartition verifier`: load and check a charter; print every error found, in French."""

from __future__ import annotations

import argparse

from ..charter import load_charter


def register(commands) -> None:
    parser = commands.add_parser(
        "verifier", help="vérifie une charte",
        description="Vérifie une charte : syntaxe, noms, types, exceptions, exemples. Code de sortie 0 "
        "si elle est valide, 2 si elle contient des erreurs (affichées).")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    charter = load_charter(args.fichier)
    print(f"Charte valide : « {charter.title} », version {charter.version or '—'}, "
          f"{len(charter.rules)} règles, {len(charter.examples)} exemples vérifiés.")
    return 0
