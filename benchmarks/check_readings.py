"""The C reader and the Python reading agree on random JSON floats and numeric texts (an offline check).

Each value is read as an amount (with and without bounds) and as a whole number, by a charter
whose generated code uses the C reader and by one that keeps to Python: the same values, or the
same French error. The C reader is also called alone (it reads or declines, never differs), and
every float is checked against the documented rule: its shortest decimal form (`repr`), exact,
with at most two decimals and at most 999 999 999 999,99 €.
Run: python benchmarks/check_readings.py [FLOATS] [TEXTS] [SEED]   (defaults: 400000 10000 2026)
"""

from __future__ import annotations

import random
import struct
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import repartition  # noqa: E402
from repartition import RepartitionError, runtime  # noqa: E402
from repartition.values import MONEY_LIMIT  # noqa: E402

TEXT = """charte « Lecture des nombres »
services
  A : « a »
données du ménage
  montant [montant] : montant en euros
  borne [borne] : montant en euros entre 0,01 et 5 000 €, peut être inconnu
  nombre [nombre] : nombre entier
règle « R »
  sinon A
"""
FIELDS = ("montant", "borne", "nombre")


def charters():
    """The charter with the C reader, and the same keeping to Python (as without a C compiler)."""
    if runtime.reader is None:
        sys.exit("lecteur C non compilé : rien à comparer (python hatch_build.py le compile)")
    with_c = repartition.Charter.from_text(TEXT, name="nombres.regles", verify=False)
    with mock.patch.multiple(runtime, reader=None, record=None):
        python = repartition.Charter.from_text(TEXT, name="nombres.regles", verify=False)
    return with_c, python


def reading(charter, field: str, raw):
    household = {"montant": 0, "borne": None, "nombre": 0, field: raw}
    try:
        return charter.validate(household).values[FIELDS.index(field)]
    except RepartitionError as error:
        return str(error)


def rule(x: float):
    """The documented reading of a float as money: its repr, exactly, or None when refused."""
    try:
        value = Decimal(repr(x))
    except ArithmeticError:
        return None
    if not value.is_finite():
        return None
    cents = value * 100
    if cents != cents.to_integral_value() or abs(cents) > MONEY_LIMIT:
        return None
    return int(cents)


def floats(rng: random.Random, count: int):
    """Amounts near every magnitude, with 0 to 3 decimals; raw bit patterns; values near the limits."""
    limits = [1e12, MONEY_LIMIT / 100, 2**46, 2**53 / 100, 7e13, 1e-2, 0.005]
    for i in range(count):
        kind = i % 4
        if kind == 0:
            x = round(rng.uniform(-1, 1) * 10 ** rng.uniform(-3, 17), rng.randint(0, 3))
        elif kind == 1:
            x = rng.randint(-10**16, 10**16) / 100
        elif kind == 2:
            x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        else:
            base = rng.choice(limits) * rng.choice((1, -1))
            x = base + rng.randint(-50, 50) * max(abs(base) * 2**-52, 1e-4)
        yield x


def texts(rng: random.Random, count: int):
    """Numeric texts as files carry them, and hostile ones: long, signed, spaced, odd digits."""
    for i in range(count):
        units = "".join(rng.choice("0123456789") for _ in range(rng.choice((0, 1, 3, 6, 11, 12, 13, 15, 19, 20, 25))))
        if rng.random() < 0.3:
            units = "0" * rng.randint(1, 30) + units
        decimals = "".join(rng.choice("0123456789") for _ in range(rng.choice((0, 0, 1, 2, 3))))
        text = units + (rng.choice(".,") + decimals if decimals or rng.random() < 0.05 else "")
        if rng.random() < 0.1:
            text = rng.choice("+- ") + text
        if rng.random() < 0.05:
            text = text + rng.choice((" €", "€", " euros", " "))
        if rng.random() < 0.03:
            text = text.replace("1", "\u0661")
        if i % 500 == 0:
            text = "9" * rng.choice((4301, 5000, 20000))
        yield text


def main(n_floats: int = 400_000, n_texts: int = 10_000, seed: int = 2026) -> int:
    with_c, python = charters()
    read_c = with_c.route.__globals__["_READ"]
    rng = random.Random(seed)
    problems = []
    checked = 0
    for values in (floats(rng, n_floats), texts(rng, n_texts)):
        for raw in values:
            for field in FIELDS:
                c, p = reading(with_c, field, raw), reading(python, field, raw)
                if c != p:
                    problems.append((field, raw, c, p))
                alone = read_c({"montant": 0, "borne": None, "nombre": 0, field: raw})
                if alone is not None and alone[0][FIELDS.index(field)] != p:
                    problems.append((field, raw, "C seul", alone[0][FIELDS.index(field)], p))
            if isinstance(raw, float):
                read = reading(python, "montant", raw)
                if rule(raw) != (read if isinstance(read, int) else None):
                    problems.append(("règle", raw, rule(raw), read))
            checked += 1
    print(f"{checked} valeurs lues ({n_floats} nombres JSON, {n_texts} textes), chacune comme {len(FIELDS)} "
          f"données : {len(problems)} désaccord(s)")
    for problem in problems[:20]:
        print("  ", repr(problem)[:300])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*[int(a) for a in sys.argv[1:4]]))
