"""`repartition formater`: rewrite rule files in the canonical layout, or only check they are in it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser(
        "formater", help="met des chartes en forme",
        description="Réécrit chaque charte dans sa mise en forme canonique, commentaires conservés. "
        "Avec --verifier, ne modifie rien et sort avec le code 1 si un fichier n'est pas en forme "
        "(pour l'intégration continue) ; code 2 si un fichier ne peut pas être lu.")
    parser.add_argument("fichiers", nargs="+", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("--verifier", action="store_true",
                        help="vérifie seulement la mise en forme, sans modifier les fichiers")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..batch.outputs import AtomicFile
    from ..charter import read_charter_file
    from ..dsl.formatter import format_text
    from ..errors import RepartitionError

    status = 0
    unformatted = []
    for name in args.fichiers:
        path = Path(name)
        try:
            original = read_charter_file(path)[1]
            formatted = format_text(original, str(path))
            if formatted == original:
                continue
            unformatted.append(path)
            if not args.verifier:
                target = AtomicFile(path)  # renamed when complete: an interrupted write leaves the file as it was
                target.stream.write(formatted)
                target.commit()
                print(f"{path} : mis en forme")
        except RepartitionError as error:
            print(f"{path} : mise en forme impossible\n{error}", file=sys.stderr)
            status = 2
    if args.verifier:
        for path in unformatted:
            print(f"{path} : pas en forme (lancez « repartition formater {path} »)")
        if unformatted and status == 0:
            status = 1
        if status == 0:
            count = len(args.fichiers)
            print(f"{count} fichier(s) déjà en forme." if count > 1 else "fichier déjà en forme.")
    return status
