"""The `repartition` command line, in French: one module per sub-command."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import (_french, code, comparer, documenter, exporter, formater, indicateurs, orienter, servir, tester,
               verifier)

__all__ = ["main", "build_parser"]

#: Sub-command modules; each has `register(subparsers)` setting `run(args) -> int`. Each imports what
#: its command needs when it runs, so that starting one command (or `--help`) stays cheap.
COMMANDS = (orienter, verifier, code, documenter, formater, tester, comparer, indicateurs, exporter, servir)


def build_parser() -> argparse.ArgumentParser:
    parser = _french.Parser(
        prog="repartition",
        description="Répartit les ménages signalés pour impayé locatif entre les services sociaux, "
        "selon la charte de prévention des expulsions.",
    )
    commands = parser.add_subparsers(title="commandes", metavar="COMMANDE", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with _french.messages():
        parser = build_parser()
        args = parser.parse_args(argv)
        from ..errors import RepartitionError

        try:
            return args.run(args)
        except RepartitionError as error:
            print(error, file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("interrompu.", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader went away (`… | head`): stop quietly, without a traceback at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
