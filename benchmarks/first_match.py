"""A first-match charter of N rules, for timing a cold load: each rule an exception to the one before.

Rule k applies to households with a debt of at least k × 250 € and one more condition (children, a
stage, the housing allowance, the landlord, a ratio of debt to rent); it is an exception to rule
k − 1, hence sets aside every rule before it. The first rule that applies, read from the last,
decides: a general rule, then exceptions for ever larger debts, as charters write them. Each
exception overlaps the rule it sets aside, and no rule is dead (the debts between two thresholds
reach each one), so the charter is proven. `charter(n, seed)` returns its text.
"""

from __future__ import annotations

import random

__all__ = ["charter"]

_HEAD = """charte « Charte en premier applicable »
version 1

services
  CAF : « Service social de la CAF »
  DEPARTEMENT : « Service social départemental »
  MSA : « Service social de la MSA »
  CCAS : « Centre communal d'action sociale »

données du ménage
  dette locative [dette] : montant en euros d'au moins 0
  loyer mensuel [loyer] : montant en euros d'au moins 1
  enfants à charge [enfants] : nombre entier d'au moins 0
  aide au logement [aide] : oui ou non
  stade de la procédure [stade] : étape parmi (aucune procédure [aucune], commandement de payer,
      assignation, jugement, demande de concours de la force publique [demande_de_concours])
  type de bailleur [bailleur] : valeur parmi (bailleur social [social], bailleur privé [prive], autre)
"""
_STAGES = ("commandement de payer", "assignation", "jugement")
_SERVICES = ("CAF", "DEPARTEMENT", "MSA", "CCAS")


def _extra(rng: random.Random) -> str:
    """The second condition of a rule, true for some households of every debt."""
    return rng.choice([
        lambda: f"les enfants à charge sont au moins {rng.randint(1, 4)}",
        lambda: f"le stade de la procédure est au moins {rng.choice(_STAGES)}",
        lambda: "aide au logement",
        lambda: "le type de bailleur est bailleur social",
        lambda: f"la dette locative est au moins {rng.randint(2, 8)} fois le loyer mensuel",
    ])()


def charter(rules: int = 40, seed: int = 1) -> str:
    """The text of a proven first-match charter of `rules` rules (the last one the default)."""
    rng = random.Random(seed)
    parts = [_HEAD]
    for k in range(1, rules):  # the most general rule first, each next one its exception
        exception = f", par exception à « Règle {k - 1} »" if k > 1 else ""
        parts.append(f"règle « Règle {k} »{exception}\n"
                     f"  si la dette locative est au moins {k * 250} € et {_extra(rng)}\n"
                     f"  alors {rng.choice(_SERVICES)}\n")
    parts.append("règle « Autres ménages »\n  dans tous les autres cas, DEPARTEMENT\n")
    return "\n".join(parts)
