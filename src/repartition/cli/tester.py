"""`repartition tester`: run the charters' examples, print each result and the rules' coverage."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation

from ._charter_options import charter_file


def register(commands) -> None:
    parser = commands.add_parser(
        "tester", help="exécute les exemples des chartes",
        description="Exécute les exemples de chaque charte : pour chacun, le service attendu, le "
        "service obtenu et la règle décisive ; puis, pour chaque règle, les exemples qu'elle "
        "décide. Code de sortie 0 si tous les exemples passent et que la couverture atteint le "
        "minimum demandé, 1 sinon, 2 si une charte ne peut pas être lue.")
    parser.add_argument("fichiers", nargs="+", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("--couverture-min", type=_percent, default=Decimal(0), metavar="N",
                        help="pourcentage minimal de règles décidées par au moins un exemple "
                        "(0 par défaut)")
    parser.set_defaults(run=run)


def _percent(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un pourcentage") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} : un pourcentage entre 0 et 100 est attendu")
    return value


def run(args: argparse.Namespace) -> int:
    from ..errors import RepartitionError

    status = 0
    for position, path in enumerate(args.fichiers):
        if position:
            print()
        try:
            charter = charter_file(path)
        except RepartitionError as error:
            print(f"{path} : charte non chargée\n{error}", file=sys.stderr)
            status = 2
            continue
        if not _report(path, charter, args.couverture_min):
            status = max(status, 1)
    return status


def _report(path: str, charter, minimum: Decimal) -> bool:
    """Print one charter's results; True when every example passes and coverage is enough."""
    from ..examples import coverage, household_text, run_examples

    version = f", version {charter.version}" if charter.version else ""
    print(f"Charte « {charter.title} »{version} ({path})")
    results = run_examples(charter)
    for result in results:
        example = result.example
        where = f" (ligne {example.span.line})" if example.span else ""
        print(f"  [{'réussi' if result.passed else 'ÉCHEC'}] exemple « {example.name} »{where}")
        print(f"      attendu : {result.expected_text}")
        if result.error is not None:
            print(f"      obtenu : ménage non orienté — {result.error}")
        else:
            label = charter.services.get(result.service, "")
            print(f"      obtenu : {result.service} ({label})")
            several = example.partial and len(result.rules) > 1
            print(f"      règle{'s décisives, selon le ménage' if several else ' décisive'} : "
                  + ", ".join(f"« {r} »" for r in result.rules))
        if result.counterexample is not None:
            print(f"      pour le ménage : {household_text(result.counterexample)}")
        elif example.partial:
            print("      pour tous les ménages de ces valeurs (exemple partiel, vérifié par la preuve)")
    table = coverage(charter, results)
    print("  Couverture des règles :")
    width = max((len(name) for name, _ in table.rules), default=0) + 4
    for name, examples in table.rules:
        decided = ", ".join(f"« {e} »" for e in examples) if examples else "aucun exemple"
        print(f"    {('« ' + name + ' »').ljust(width)}  {decided}")
    failed = sum(1 for r in results if not r.passed)
    print(f"  {len(results)} exemple(s), {len(results) - failed} réussi(s), {failed} en échec ; "
          f"couverture {table.covered}/{len(table.rules)} règles ({table.percent:.0f} %)")
    enough = table.reaches(minimum)
    if not enough:
        shown = format(minimum.normalize(), "f").replace(".", ",")
        print(f"  couverture insuffisante : {table.covered}/{len(table.rules)} règles couvertes, "
              f"moins que les {shown} % demandés")
    return failed == 0 and enough
