"""Benchmark of `repartition comparer --donnees`: 1,000,000 signalements through DuckDB, and the Python path.

    python benchmarks/bench_impact.py [-n 1000000]

The file is `samples/generer_signalements.py`'s (fixed seed); the new version of the fiche 3-4
charter starts the judicial procedure at the judgement instead of the assignation. Prints the
seconds of each path and checks that both count alike. Timings are indicative: the machine is shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import repartition  # noqa: E402
from generer_signalements import generate, COLUMNS  # noqa: E402
from repartition.impact import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--python", action="store_true", help="also time the Python path (slower)")
    args = parser.parse_args()
    fiche = ROOT / "policies" / "dispositif-repartition.regles"
    with tempfile.TemporaryDirectory() as folder:
        new_text = fiche.read_text(encoding="utf-8").replace("est au moins assignation", "est au moins jugement")
        new_path = Path(folder) / "nouvelle.regles"
        new_path.write_text(new_text, encoding="utf-8")
        data = Path(folder) / "signalements.csv"
        with data.open("w", encoding="utf-8", newline="") as out:
            import csv

            writer = csv.writer(out, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerows(generate(args.n))
        old = repartition.load_charter(fiche)
        new = repartition.load_charter(new_path, verify=False)
        start = time.perf_counter()
        fast = measure(old, new, data, engine="duckdb")
        print(f"DuckDB : {args.n} lignes en {time.perf_counter() - start:.2f} s "
              f"({fast.moving} changent de service)")
        if args.python:
            start = time.perf_counter()
            slow = measure(old, new, data, engine="python")
            print(f"Python : {args.n} lignes en {time.perf_counter() - start:.2f} s ; "
                  f"mêmes comptes : {slow.counts == fast.counts}")


if __name__ == "__main__":
    main()
