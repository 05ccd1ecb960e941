"""A first-match charter of N rules, for timing a cold load: each rule an exception to the one before.

Rules come in levels of four: the rules of level j apply to households with a debt of at least
(j + 1) × 1 000 € and one more condition each, on four different data (children, stage, housing
allowance, landlord, rent). Each rule is an exception to the one before, hence sets aside every
rule before it: the first rule that applies, read from the last, decides, as a charter writes a
general rule then its exceptions. Each exception overlaps the rule it sets aside, and no rule is
dead (its own condition on its own datum, with a debt below the next level), so the charter is
proven. `charter(n, seed)` returns its text.
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
# One condition per datum: within a level, no rule's condition implies another's.
_CONDITIONS = {
    "enfants": lambda rng: f"les enfants à charge sont au moins {rng.randint(1, 4)}",
    "stade": lambda rng: f"le stade de la procédure est au moins {rng.choice(_STAGES)}",
    "aide": lambda rng: rng.choice(["aide au logement", "non aide au logement"]),
    "bailleur": lambda rng: f"le type de bailleur est {rng.choice(['bailleur social', 'bailleur privé'])}",
    "loyer": lambda rng: f"le loyer mensuel est au plus {rng.randint(3, 9) * 100} €",
}


def charter(rules: int = 40, seed: int = 1) -> str:
    """The text of a proven first-match charter of `rules` rules (the last one the default)."""
    rng = random.Random(seed)
    parts = [_HEAD]
    data: list[str] = []
    for k in range(1, rules):  # the most general rule first, each next one its exception
        if not data:
            data = rng.sample(sorted(_CONDITIONS), 4)
        level = (k - 1) // 4 + 1
        exception = f", par exception à « Règle {k - 1} »" if k > 1 else ""
        parts.append(f"règle « Règle {k} »{exception}\n"
                     f"  si la dette locative est au moins {level * 1000} € et {_CONDITIONS[data.pop()](rng)}\n"
                     f"  alors {rng.choice(_SERVICES)}\n")
    parts.append("règle « Autres ménages »\n  dans tous les autres cas, DEPARTEMENT\n")
    return "\n".join(parts)
