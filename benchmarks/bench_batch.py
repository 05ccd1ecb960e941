"""Benchmark of batch routing: throughput against a plain `csv` copy, and peak memory on a million rows.

    PYTHONPATH=src python benchmarks/bench_batch.py [--lignes 1000000] [--tours 3]

The file has the fiche 3-4 fields plus two pass-through columns (`identifiant`, `commune`).
Throughput: rounds alternate a plain `csv.reader`/`csv.writer` copy of the file and
`repartition.batch.route_file` on it, in one process; the ratio is copy time / routing time
(median of the rounds; the goal is ≥ 0.5). Peak memory: `route_file` on the whole file in a fresh
subprocess, its maximum resident set size (goal < 150 MB), next to the same process routing a
tenth of the file, to show that memory does not grow with the input.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["write_file", "plain_copy", "route", "main"]

ROOT = Path(__file__).resolve().parents[1]
CHARTER = ROOT / "policies" / "dispositif-repartition.regles"
_STAGES = ("aucune", "commandement_de_payer", "assignation", "jugement",
           "commandement_de_quitter_les_lieux", "demande_de_concours", "concours_accorde")
_COMMUNES = ("Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Wattrelos", "Armentières", "Douai")


def write_file(path: Path, rows: int, seed: int = 4) -> None:
    """A `;`-separated CSV of `rows` signalements, the same for the same seed."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(["identifiant", "commune", "enfants_a_charge", "aide_au_logement",
                         "stade_procedure", "connu_services_sociaux"])
        for number in range(rows):
            writer.writerow([f"SIG-{number:08d}", rng.choice(_COMMUNES), rng.randint(0, 6),
                             rng.choice(("oui", "non")), rng.choice(_STAGES), rng.choice(("oui", "non"))])


def plain_copy(source: Path, target: Path) -> None:
    """The reference: read the file with `csv.reader`, write every row with `csv.writer`."""
    with open(source, encoding="utf-8", newline="") as inp, open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for row in csv.reader(inp, delimiter=";"):
            writer.writerow(row)


def route(charter, source: Path, target: Path, rejects: Path):
    """The batch under test, as the CLI runs it (without the progress bar)."""
    from repartition.batch import route_file

    return route_file(charter, source, target, rejects, progress=False)


def _memory_child(source: str, target: str) -> None:
    import resource

    from repartition import load_charter

    charter = load_charter(CHARTER)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = route(charter, Path(source), Path(target), Path(target + ".rejets.csv"))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{summary.read} {peak_kib} {before}")


def _peak(source: Path, work: Path) -> tuple[int, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, __file__, "--memoire", str(source), str(work / "mem.csv")],
                          check=True, capture_output=True, text=True, env=env)
    rows, kib, before = done.stdout.split()
    return int(rows), int(kib) / 1024, int(before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=1_000_000, help="lignes du fichier (1 000 000)")
    parser.add_argument("--tours", type=int, default=3, help="tours de mesure du débit (3)")
    parser.add_argument("--memoire", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memoire:
        _memory_child(*args.memoire)
        return
    sys.path.insert(0, str(ROOT / "src"))
    from repartition import load_charter

    start = time.perf_counter()
    charter = load_charter(CHARTER)
    loading = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        big = work / "signalements.csv"
        small = work / "petit.csv"
        write_file(big, args.lignes)
        write_file(small, max(1, args.lignes // 10))
        size = big.stat().st_size / 2**20
        print(f"fichier : {args.lignes} lignes, {size:.1f} Mio, Python {sys.version.split()[0]}")
        print(f"chargement de la charte (hors mesure) : {loading * 1000:.0f} ms")
        # Wall time and processor time: on a shared machine the latter is the steadier one.
        times = {"copy": ([], []), "route": ([], [])}
        for _ in range(args.tours):
            for name, task in (("copy", lambda: plain_copy(big, work / "copie.csv")),
                               ("route", lambda: route(charter, big, work / "sortie.csv", work / "rejets.csv"))):
                wall, cpu = time.perf_counter(), time.process_time()
                result = task()
                times[name][0].append(time.perf_counter() - wall)
                times[name][1].append(time.process_time() - cpu)
                if name == "route":
                    assert result.read == args.lignes, result
        for label, index in (("temps écoulé", 0), ("temps processeur", 1)):
            copy = statistics.median(times["copy"][index])
            routing = statistics.median(times["route"][index])
            print(f"{label} : copie csv simple {copy:.2f} s ({args.lignes / copy / 1e6:.2f} M lignes/s), "
                  f"orientation {routing:.2f} s ({args.lignes / routing / 1e6:.2f} M lignes/s), "
                  f"rapport {copy / routing:.2f} (objectif ≥ 0,5)")
        rows_small, peak_small, base_small = _peak(small, work)
        rows_big, peak_big, base_big = _peak(big, work)
        print(f"mémoire maximale : {peak_big:.1f} Mo pour {rows_big} lignes (dont {base_big:.1f} Mo avant "
              f"la première ligne), {peak_small:.1f} Mo pour {rows_small} lignes (objectif < 150 Mo)")


if __name__ == "__main__":
    main()
