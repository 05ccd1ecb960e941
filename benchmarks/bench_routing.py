"""Routing speed of both bundled charters against their hand-written `if`/`elif` baselines.

Measured side by side in one process, interleaved, median of several rounds (see
shared/performance.md): the hand-written transcription (`handwritten.py`), the reference
interpreter, the compiled decision function on validated households (`Charter.decide`), and
`Charter.route` on validated households and on plain dicts (validation included), both as a
CSV file gives them (text) and as JSON decodes them (numbers and booleans).
Run: python benchmarks/bench_routing.py [HOUSEHOLDS] [ROUNDS] [--sans-c]
(--sans-c: generated code keeps to Python, as where no C compiler was found at install.)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import json  # noqa: E402

import repartition  # noqa: E402
from benchmarks import handwritten, households  # noqa: E402
from repartition import model, runtime  # noqa: E402

CHARTERS = {
    "fiche 3-4": ("dispositif-repartition.regles", households.fiche_households,
                  households.to_fiche_values, handwritten.route_fiche),
    "départemental": ("exemple-departemental.regles", households.departemental_households,
                      households.to_departemental_values, handwritten.route_departemental),
}


def as_json(charter, row: dict) -> dict:
    """The row as a JSON document would carry it: yes/no as booleans, numbers and amounts as numbers."""
    typed = dict(row)
    for field in charter.fields:
        value = row.get(field.machine)
        if value is None or value == "":
            continue
        if isinstance(field.type, model.BoolType):
            typed[field.machine] = value if isinstance(value, bool) else value == "oui"
        elif isinstance(field.type, model.IntType):
            typed[field.machine] = int(value)
        elif isinstance(field.type, model.MoneyType):
            typed[field.machine] = json.loads(str(value).replace(",", "."))
    return typed


def _loop(function, items) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return time.perf_counter() - start


def measure(label: str, size: int, rounds: int) -> dict[str, float]:
    filename, generate, to_values, baseline = CHARTERS[label]
    path = repartition.bundled_charter(filename)
    compiled = repartition.load_charter(path)
    interpreted = repartition.load_charter(path, engine="interprete")
    rows = generate(size)
    plain = [to_values(row) for row in rows]
    documents = [as_json(compiled, row) for row in rows]
    validated = [compiled.validate(row) for row in rows]
    values = [v.values for v in validated]
    sample = max(1, size // 10)  # the interpreter is slow: time it on a tenth, report per household
    runs = {
        "écrit à la main (if/elif)": (baseline, plain, size),
        "interpréteur": (interpreted.decide, values[:sample], sample),
        "compilé, ménages validés": (compiled.decide, values, size),
        "route(ménage validé)": (compiled.route, validated, size),
        "route(dict texte CSV)": (compiled.route, rows, size),
        "route(dict JSON)": (compiled.route, documents, size),
    }
    per_second: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (function, items, count) in runs.items():
            per_second[name].append(count / _loop(function, items))
    return {name: statistics.median(speeds) for name, speeds in per_second.items()}


def main(size: int = 100_000, rounds: int = 7, c_reader: bool = True) -> None:
    if not c_reader:
        runtime.reader = runtime.recorder = None
    print("lecteur C :", "oui" if runtime.reader is not None else "non")
    for label in CHARTERS:
        results = measure(label, size, rounds)
        base = results["écrit à la main (if/elif)"]
        print(f"\n{label} — {size} ménages, médiane de {rounds} tours entrelacés")
        for name, speed in results.items():
            print(f"  {name:<30} {speed / 1e6:6.2f} M ménages/s   ratio {speed / base:5.2f}")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    main(*numbers, c_reader="--sans-c" not in sys.argv)
