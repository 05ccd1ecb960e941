"""`repartition verifier`: check a charter and prove that every household gets exactly one service."""

from __future__ import annotations

import argparse
import json

from ._charter_options import charter_file

__all__ = ["register", "run"]


def register(commands) -> None:
    parser = commands.add_parser(
        "verifier", help="vérifie une charte et prouve que chaque ménage reçoit un seul service",
        description="Vérifie une charte (syntaxe, noms, types, exceptions, exemples) puis prouve que "
        "chaque ménage du domaine déclaré, valeurs inconnues comprises, est orienté vers exactement un "
        "service. Code de sortie 0 si la preuve tient (les avertissements sont permis), 1 si elle "
        "trouve des problèmes (lacunes, conflits, indéterminations, règles mortes, exceptions "
        "inutiles, régions indécises : affichés, chacun avec ses règles et un ménage exemple), 2 si "
        "le fichier contient des erreurs.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("--format", choices=("texte", "json"), default="texte",
                        help="format du rapport : texte (par défaut) ou json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the report; 0 when the proof holds, 1 when it found problems (file errors raise: 2)."""
    from ..errors import CharterError
    from ..proof import verify
    from ..values import count_text

    charter = charter_file(args.fichier)
    failed = charter.check_examples()
    if failed:
        raise CharterError(failed)
    report = verify(charter)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    head = (f"Charte « {charter.title} », version {charter.version or '—'}, "
            f"{count_text(len(charter.rules), 'règle', 'règles')}, "
            f"{count_text(len(charter.examples), 'exemple vérifié', 'exemples vérifiés')}.")
    if report.ok:
        warnings = len(report.warnings)
        tail = f" ({count_text(warnings, 'avertissement', 'avertissements')})" if warnings else ""
        print(f"{head}\nPreuve établie : chaque ménage est orienté vers exactement un service{tail}.")
        if warnings:
            print("\n" + report.render())
        return 0
    print(f"{head}\nPreuve en échec : {count_text(len(report.errors), 'problème', 'problèmes')}.\n")
    print(report.render())
    return 1

