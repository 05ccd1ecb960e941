"""Random households for the bundled charters: deterministic, realistic, and biased to the thresholds.

Each generator returns households as an input file gives them (CSV/JSON field names; stages and
list values as machine names, amounts as decimal strings such as "1234.56", yes/no as "oui"/"non",
dates as "2026-03-01", unknown as `None`; a field with a default value is sometimes left out).
`to_fiche_values` and `to_departemental_values` convert one of them into the plain Python values
the hand-written baseline (`benchmarks.handwritten`) takes: amounts in integer cents, `bool`,
`datetime.date`, `None` for unknown, defaults filled in.

More than one household in four sits exactly on, or one cent or one day beside, a threshold of the
charter (six months of rent, 5 000 €, the creation date of the mobile team, one child), where a
transcription error or a binary float would show.
"""

from __future__ import annotations

import csv
import datetime as _dt
import random
from pathlib import Path

__all__ = [
    "FICHE_STAGES", "fiche_households", "departemental_households", "to_fiche_values",
    "to_departemental_values", "cents",
]

_POLICIES = Path(__file__).resolve().parents[1] / "policies"

#: The stages of both charters, in procedure order (machine names).
FICHE_STAGES = ("aucune", "commandement_de_payer", "assignation", "jugement",
                "commandement_de_quitter_les_lieux", "demande_de_concours", "concours_accorde")
# Rough shares of the signalements reaching a CCAPEX at each stage.
_STAGE_WEIGHTS = (15, 35, 20, 12, 6, 5, 3)
_CHILDREN = (0, 1, 2, 3, 4, 5, 6)
_CHILDREN_WEIGHTS = (45, 20, 17, 10, 5, 2, 1)


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _money(cents_value: int) -> str:
    return f"{cents_value // 100}.{cents_value % 100:02d}"


def cents(text: str) -> int:
    """Exact integer cents of a decimal string such as "1234.56", "1234,5" or "1234"."""
    whole, _, fraction = text.strip().replace(",", ".").partition(".")
    if len(fraction) > 2:
        raise ValueError(f"more than two decimals: {text!r}")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)


def _bool_or_none(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().casefold() in ("oui", "vrai", "true", "1")


# ---- fiche 3-4 --------------------------------------------------------------------------------

def fiche_households(n: int, seed: int = 34) -> list[dict]:
    """`n` households for the fiche 3-4 charter (no unknowns, no defaults)."""
    rng = random.Random(seed)
    households = []
    for _ in range(n):
        households.append({
            "enfants_a_charge": rng.choices(_CHILDREN, _CHILDREN_WEIGHTS)[0],
            "aide_au_logement": _yes_no(rng.random() < 0.6),
            "stade_procedure": rng.choices(FICHE_STAGES, _STAGE_WEIGHTS)[0],
            "connu_services_sociaux": _yes_no(rng.random() < 0.5),
        })
    return households


def to_fiche_values(h: dict) -> dict:
    """The baseline's Python values for one fiche 3-4 household."""
    return {
        "enfants_a_charge": int(h["enfants_a_charge"]),
        "aide_au_logement": _bool_or_none(h["aide_au_logement"]),
        "stade_procedure": h["stade_procedure"],
        "connu_services_sociaux": _bool_or_none(h["connu_services_sociaux"]),
    }


# ---- the departmental example ------------------------------------------------------------------

def _communes() -> tuple[str, ...]:
    with open(_POLICIES / "unites-territoriales.csv", encoding="utf-8-sig", newline="") as handle:
        return tuple(row["code_insee"].strip() for row in csv.DictReader(handle))


_REFERENTS = ("aucun", "departement", "caf", "msa", "ccas", "bailleur", None)  # None: left out
_REFERENT_WEIGHTS = (66, 9, 5, 2, 5, 5, 8)
_MOBILE_TEAM_START = _dt.date(2026, 3, 1)
_YEAR_START = _dt.date(2026, 1, 1)


def _maybe(rng: random.Random, share_unknown: float, value: object) -> object:
    return None if rng.random() < share_unknown else value


def _debt_and_rent(rng: random.Random) -> tuple[int, int | None]:
    rent = None if rng.random() < 0.08 else rng.randint(250_00, 1_200_00)
    draw = rng.random()
    if rent is not None and draw < 0.15:  # six months of rent, to the cent
        return max(0, 6 * rent + rng.choice((-1, 0, 1))), rent
    if draw < 0.27:  # the 5 000 € threshold, to the cent
        return 5_000_00 + rng.choice((-1, 0, 1)), rent
    base = rent if rent is not None else rng.randint(250_00, 1_200_00)
    return int(base * rng.uniform(0, 14)), rent


def departemental_households(n: int, seed: int = 2026) -> list[dict]:
    """`n` households for the departmental example charter, unknown values included."""
    rng = random.Random(seed)
    communes = _communes()
    households = []
    for _ in range(n):
        children = rng.choices(_CHILDREN, _CHILDREN_WEIGHTS)[0]
        debt, rent = _debt_and_rent(rng)
        if rng.random() < 0.15:
            day = _MOBILE_TEAM_START + _dt.timedelta(days=rng.choice((-1, 0)))
        else:
            day = _YEAR_START + _dt.timedelta(days=rng.randrange(365))
        household = {
            # A few codes typed wrong, absent from every table.
            "commune": rng.choice(communes) if rng.random() < 0.97 else "96999",
            "date_signalement": day.isoformat(),
            "stade_procedure": _maybe(rng, 0.05, rng.choices(FICHE_STAGES, _STAGE_WEIGHTS)[0]),
            "type_bailleur": _maybe(rng, 0.06, "prive" if rng.random() < 0.55 else "social"),
            "enfants_a_charge": children,
            "aide_au_logement": _maybe(rng, 0.1, _yes_no(rng.random() < 0.55)),
            "prestations_familiales": _maybe(
                rng, 0.1, _yes_no(rng.random() < (0.8 if children else 0.05))),
            "connu_services_sociaux": _maybe(rng, 0.15, _yes_no(rng.random() < 0.45)),
            "dette_locative": _money(debt),
            "loyer_mensuel": None if rent is None else _money(rent),
        }
        regime = rng.random()
        if regime < 0.9:
            household["regime"] = "general" if regime < 0.75 else "agricole"
        referent = rng.choices(_REFERENTS, _REFERENT_WEIGHTS)[0]
        if referent is not None:
            household["service_referent"] = referent
        households.append(household)
    return households


def to_departemental_values(h: dict) -> dict:
    """The baseline's Python values for one departmental household (defaults filled in)."""
    rent = h["loyer_mensuel"]
    return {
        "commune": h["commune"],
        "date_signalement": _dt.date.fromisoformat(h["date_signalement"]),
        "stade_procedure": h["stade_procedure"],
        "type_bailleur": h["type_bailleur"],
        "enfants_a_charge": int(h["enfants_a_charge"]),
        "aide_au_logement": _bool_or_none(h["aide_au_logement"]),
        "prestations_familiales": _bool_or_none(h["prestations_familiales"]),
        "regime": h.get("regime", "general"),
        "connu_services_sociaux": _bool_or_none(h["connu_services_sociaux"]),
        "service_referent": h.get("service_referent", "aucun"),
        "dette_locative": cents(h["dette_locative"]),
        "loyer_mensuel": None if rent is None else cents(rent),
    }
