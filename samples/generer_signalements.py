"""Generate `signalements.csv`: realistic signalements for the fiche 3-4 charter, with a few bad rows.

The file is written as a French spreadsheet saves « CSV UTF-8 »: `;` separator, BOM, CRLF line
ends, some multi-line quoted remarks. The seed is fixed, so the file is the same on every run:

    python3 samples/generer_signalements.py            # writes samples/signalements.csv
    python3 samples/generer_signalements.py -n 1000000 -o /tmp/grand.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path
from typing import Iterator

__all__ = ["generate", "COLUMNS"]

COLUMNS = ("identifiant", "date_signalement", "origine", "commune", "enfants_a_charge",
           "aide_au_logement", "stade_procedure", "connu_services_sociaux", "observations")

_COMMUNES = ("Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Wattrelos", "Armentières",
             "Douai", "Valenciennes", "Maubeuge", "Cambrai", "Dunkerque", "Hazebrouck", "Lens",
             "Saint-Amand-les-Eaux", "Hem", "Croix")
_ORIGINS = ("CAF", "EXPLOC (préfecture)", "bailleur social", "bailleur privé", "huissier")
# Stages as exports write them: machine names and French labels, in any case.
_STAGES = (
    ("aucune", 18), ("aucune procédure", 4), ("commandement_de_payer", 20), ("Commandement de payer", 6),
    ("assignation", 16), ("jugement", 10), ("commandement_de_quitter_les_lieux", 8),
    ("Commandement de quitter les lieux", 2), ("demande_de_concours", 6), ("concours_accorde", 3),
    ("Concours accordé", 1),
)
_YES = ("oui", "oui", "oui", "Oui", "OUI", "1")
_NO = ("non", "non", "non", "Non", "NON", "0")
_REMARKS = (
    "", "", "", "", "", "", "Plan d'apurement proposé", "Dette locative de 2 340,50 €",
    "Ménage injoignable\nCourrier envoyé le 3/02", "Bailleur: accord pour un échéancier",
    "Dossier FSL en cours; relance prévue", "Mme a repris un emploi\n« suivi à poursuivre »",
    "-", "Signalement en double ?",
)
# Rows as they really arrive now and then: a typo, a number in words, empty or impossible values,
# and text that a spreadsheet would run as a formula.
_BAD = (
    {"stade_procedure": "assignaton"},
    {"enfants_a_charge": "deux"},
    {"aide_au_logement": ""},
    {"enfants_a_charge": "-1"},
    {"connu_services_sociaux": "peut-être"},
    {"stade_procedure": ""},
)
_FORMULAS = ("=HYPERLINK(\"http://exemple.invalid\";\"voir\")", "@SOMME(A1:A9)", "+33 6 12 34 56 78")


def generate(count: int, seed: int = 20180101) -> Iterator[list[str]]:
    """`count` signalements (header excluded) as rows of text cells, the same for the same seed."""
    rng = random.Random(seed)
    stages, weights = zip(*_STAGES)
    for number in range(1, count + 1):
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        children = rng.choices(range(7), weights=(38, 18, 18, 12, 8, 4, 2))[0]
        housing_aid = rng.random() < (0.55 if children else 0.35)
        known = rng.random() < 0.4
        row = {
            "identifiant": f"SIG-2026-{number:06d}",
            "date_signalement": f"{day:02d}/{month:02d}/2026",
            "origine": rng.choice(_ORIGINS),
            "commune": rng.choice(_COMMUNES),
            "enfants_a_charge": str(children),
            "aide_au_logement": rng.choice(_YES if housing_aid else _NO),
            "stade_procedure": rng.choices(stages, weights=weights)[0],
            "connu_services_sociaux": rng.choice(_YES if known else _NO),
            "observations": rng.choice(_REMARKS),
        }
        if number % 47 == 0:  # about one row in fifty is wrong, each kind of mistake in turn
            row.update(_BAD[(number // 47 - 1) % len(_BAD)])
        elif number % 61 == 0:
            row["observations"] = _FORMULAS[(number // 61 - 1) % len(_FORMULAS)]
        yield [row[c] for c in COLUMNS]


def main() -> None:
    parser = argparse.ArgumentParser(description="Génère un fichier de signalements d'exemple.")
    parser.add_argument("-n", "--nombre", type=int, default=300, help="nombre de signalements (300)")
    parser.add_argument("-o", "--sortie", default=str(Path(__file__).with_name("signalements.csv")),
                        help="fichier à écrire (samples/signalements.csv)")
    args = parser.parse_args()
    with open(args.sortie, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(generate(args.nombre))


if __name__ == "__main__":
    main()
