"""Timing the proof: the bundled charters, and generated 300-rule charters with injected defects.

Run from the checkout: `PYTHONPATH=src python benchmarks/bench_proof.py [--rounds N] [--seeds K]`.
Goals (issue 3): every problem of a 300-rule, 15-field charter listed in < 1 s; the departmental
charter proven in < 100 ms, so that `load_charter` stays within the core's 300 ms.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from proof_generator import checked_model, generate  # noqa: E402

import repartition  # noqa: E402
from repartition.proof import verify  # noqa: E402

POLICIES = HERE.parent / "policies"
GOALS = {"dispositif-repartition.regles": 0.100, "exemple-departemental.regles": 0.100}


def _median(function, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()

    print("Bundled charters (median of rounds):")
    for name, goal in GOALS.items():
        path = POLICIES / name
        if not path.exists():
            print(f"  {name}: absent")
            continue
        charter = repartition.load_charter(path, verify=False)
        seconds, report = _median(lambda: verify(charter), args.rounds)
        verdict = "prouvée" if report.ok else f"{len(report.errors)} problème(s)"
        print(f"  {name}: {len(charter.rules)} règles, {report.regions} régions, {report.work} unités de travail, "
              f"{seconds * 1000:.2f} ms ({seconds / goal:.2f} × l'objectif de {goal * 1000:.0f} ms) : {verdict}")
        with_proof, _ = _median(lambda: repartition.load_charter(path), args.rounds)
        without, _ = _median(lambda: repartition.load_charter(path, verify=False), args.rounds)
        print(f"    load_charter : {with_proof * 1000:.1f} ms avec la preuve (verify=True), "
              f"{without * 1000:.1f} ms sans (processus chaud, tables LALR en cache)")

    print("\nGenerated charters (15 fields, ~300 rules, 5 gaps, 5 conflicts, 3 dead rules, 2 undetermined):")
    worst = 0.0
    for seed in range(1, args.seeds + 1):
        text, expected = generate(seed)
        model = checked_model(text, f"generee-{seed}.regles")
        exceptions = sum(1 for r in model.rules if r.overrides)
        seconds, report = _median(lambda: verify(model), max(3, args.rounds // 5))
        worst = max(worst, seconds)
        found = collections.Counter(p.kind for p in report.problems)
        match = all(found[k] == v for k, v in expected.items())
        print(f"  graine {seed}: {len(model.rules)} règles dont {exceptions} exceptions, {report.regions} "
              f"régions, {report.work} unités de travail, {seconds * 1000:.0f} ms ; trouvés {dict(found)}"
              f"{'' if match else ' ≠ attendus ' + str(expected)}")
    print(f"  pire temps : {worst * 1000:.0f} ms ({worst:.2f} × l'objectif de 1 s)")


if __name__ == "__main__":
    main()
