"""`repartition documenter`: write a charter's documentation for reviewers as a standalone HTML or Markdown page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..charter import load_charter
from ..render import describe, svg, to_html, to_markdown

__all__ = ["register", "run"]


def register(commands) -> None:
    parser = commands.add_parser(
        "documenter", help="écrit la documentation d'une charte (HTML ou Markdown)",
        description="Écrit la documentation d'une charte pour ses relecteurs : règles en phrases, tables "
        "de décision par service, schéma des exceptions, indicateurs, exemples et verdict de la "
        "vérification. Une page HTML autonome, ou une page Markdown accompagnée du schéma en SVG. "
        "Code de sortie 0 ; 1 si la vérification échoue (la page est écrite quand même) ; 2 si la "
        "charte ne se lit pas.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("-o", "--sortie", required=True, metavar="DOSSIER",
                        help="dossier où écrire la page (créé au besoin)")
    parser.add_argument("--format", choices=("html", "md"), default="html",
                        help="html (par défaut) : une page autonome ; md : Markdown et un fichier SVG")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # verify=False: a charter whose examples fail is still documented, with its failures shown.
    document = describe(load_charter(args.fichier, verify=False))
    folder = Path(args.sortie)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem = Path(args.fichier).stem
        if args.format == "html":
            written = [folder / f"{stem}.html"]
            written[0].write_text(to_html(document), encoding="utf-8")
        else:
            diagram = f"{stem}-exceptions.svg" if document.graph.edges else None
            written = [folder / f"{stem}.md"]
            written[0].write_text(to_markdown(document, diagram), encoding="utf-8")
            if diagram:
                written.append(folder / diagram)
                written[1].write_text(svg(document.graph), encoding="utf-8")
    except OSError as error:
        print(f"impossible d'écrire dans « {folder} » : {error.strerror}", file=sys.stderr)
        return 2
    for path in written:
        print(f"écrit : {path}")
    return 0 if document.verdict.ok else 1
