"""Benchmark of batch routing: the whole `orienter` command against a plain `csv` copy, three file shapes.

    PYTHONPATH=src python benchmarks/bench_batch.py [--lignes 300000] [--tours 5] [--formes simple,...]

Shapes of the same French signalements (`;`, decimal commas), as spreadsheets write them:
- `simple`: no quotes, no cell a spreadsheet could take for a formula;
- `guillemets`: the same rows with every cell quoted (`csv.QUOTE_ALL`);
- `textes`: the same rows with text cells quoted, whole numbers not (LibreOffice's "quote all
  text cells", `csv.QUOTE_NONNUMERIC`);
- `formules`: every row has cells starting with `-`, `+`, `=` or `@`: negative amounts (`-12,50`,
  left as they are), phone numbers (`+33 …`), formulas and mentions (neutralised with `'`).

Each round runs, per shape, a `csv.reader` → `csv.writer` copy of the file in this process, then
the whole command `python -m repartition orienter --charte … ENTREE -o SORTIE --bilan …` in a fresh
process (start-up and charter loading included: that is what users wait for), then
`route_file` in this process (routing alone). Rounds are interleaved and the medians reported,
as ratios copy time / command time (goal ≥ 0.6) in wall and processor time. The command's peak
resident memory is measured per run (`os.wait4`), and once more on a tenth of the file, to show
that it does not grow with the input. On a shared machine the figures are indicative.
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

__all__ = ["SHAPES", "write_file", "plain_copy", "run_command", "main"]

ROOT = Path(__file__).resolve().parents[1]
CHARTER = ROOT / "policies" / "dispositif-repartition.regles"
SHAPES = ("simple", "guillemets", "textes", "formules")
HEADER = ["identifiant", "date_signalement", "commune", "enfants_a_charge", "aide_au_logement",
          "stade_procedure", "connu_services_sociaux", "dette", "loyer", "telephone", "observations"]
_STAGES = ("aucune", "commandement_de_payer", "assignation", "jugement",
           "commandement_de_quitter_les_lieux", "demande_de_concours", "concours_accorde")
_COMMUNES = ("Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Wattrelos", "Armentières", "Douai")
_NOTES = ("", "Signalement en double ?", "Relance envoyée le 12/03", "Bailleur social", "RAS")
_FORMULAS = ("=SOMME(H2:H9)", "@relance", "-", "- voir dossier", "+ dette ancienne", "=A1*2")


def write_file(path: Path, rows: int, shape: str, seed: int = 4) -> None:
    """A `;`-separated CSV of `rows` signalements in the given shape, the same for the same seed."""
    rng = random.Random(seed)
    formulas = shape == "formules"
    quoting = {"guillemets": csv.QUOTE_ALL, "textes": csv.QUOTE_NONNUMERIC}.get(shape, csv.QUOTE_MINIMAL)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n", quoting=quoting)
        writer.writerow(HEADER)
        for number in range(rows):
            cents = rng.randint(1, 900_000)
            debt = f"{'-' if formulas else ''}{cents // 100},{cents % 100:02d}"
            phone = f"{'+33 3' if formulas else '03'} 20 {rng.randint(10, 99)} {rng.randint(10, 99)} 00"
            note = rng.choice(_FORMULAS if formulas else _NOTES)
            writer.writerow([f"SIG-{number:08d}", f"{rng.randint(1, 28):02d}/04/2026", rng.choice(_COMMUNES),
                             rng.randint(0, 6), rng.choice(("oui", "non")), rng.choice(_STAGES),
                             rng.choice(("oui", "non")), debt, f"{rng.randint(300, 900)},00", phone, note])


def plain_copy(source: Path, target: Path) -> None:
    """The reference: read the file with `csv.reader`, write every row with `csv.writer`."""
    with open(source, encoding="utf-8", newline="") as inp, open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for row in csv.reader(inp, delimiter=";"):
            writer.writerow(row)


def run_command(source: Path, target: Path) -> tuple[float, float, float]:
    """The whole `orienter` command in a fresh process: wall seconds, processor seconds, peak RSS in MB."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "repartition", "orienter", "--charte", str(CHARTER), str(source),
               "-o", str(target), "--bilan", str(target.with_suffix(".bilan.json"))]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"orienter a échoué (code {process.returncode}) sur {source}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _timed(task) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    task()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=300_000, help="lignes de chaque fichier (300 000)")
    parser.add_argument("--tours", type=int, default=5, help="tours de mesure (5)")
    parser.add_argument("--formes", default=",".join(SHAPES), help="formes à mesurer (" + ",".join(SHAPES) + ")")
    args = parser.parse_args()
    shapes = args.formes.split(",")
    sys.path.insert(0, str(ROOT / "src"))
    from repartition import load_charter
    from repartition.batch import route_file

    charter = load_charter(CHARTER)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        files = {}
        for shape in shapes:
            files[shape] = work / f"{shape}.csv"
            write_file(files[shape], args.lignes, shape)
            write_file(work / f"{shape}-petit.csv", max(1, args.lignes // 10), shape)
        print(f"{args.lignes} lignes par fichier, Python {sys.version.split()[0]}, {os.cpu_count()} cœurs ; "
              + ", ".join(f"{s} {files[s].stat().st_size / 2**20:.1f} Mio" for s in shapes))
        copy: dict[str, list] = {s: [] for s in shapes}
        command: dict[str, list] = {s: [] for s in shapes}
        routing: dict[str, list] = {s: [] for s in shapes}
        for _ in range(args.tours):
            for shape in shapes:
                source = files[shape]
                copy[shape].append(_timed(lambda: plain_copy(source, work / "copie.csv")))
                command[shape].append(run_command(source, work / "sortie.csv"))
                routing[shape].append(_timed(lambda: route_file(charter, source, work / "lot.csv",
                                                                progress=False)))
        print(f"médianes de {args.tours} tours ; rapport = temps de la copie / temps de la commande "
              f"(objectif ≥ 0,6)")
        print(f"{'forme':<11} {'copie':>7} {'commande':>9} {'rapport':>8} {'rapport cpu':>12} "
              f"{'orientation seule':>18} {'mémoire max':>12}")
        for shape in shapes:
            copy_wall = statistics.median(t[0] for t in copy[shape])
            copy_cpu = statistics.median(t[1] for t in copy[shape])
            wall = statistics.median(t[0] for t in command[shape])
            cpu = statistics.median(t[1] for t in command[shape])
            alone = statistics.median(t[0] for t in routing[shape])
            peak = max(t[2] for t in command[shape])
            print(f"{shape:<11} {copy_wall:6.2f}s {wall:8.2f}s {copy_wall / wall:8.2f} {copy_cpu / cpu:12.2f} "
                  f"{alone:7.2f}s ({copy_wall / alone:.2f}) {peak:9.1f} Mo")
        for shape in shapes:
            small = run_command(work / f"{shape}-petit.csv", work / "sortie.csv")[2]
            print(f"mémoire max, {shape} : {small:.1f} Mo pour {max(1, args.lignes // 10)} lignes, "
                  f"{max(t[2] for t in command[shape]):.1f} Mo pour {args.lignes}")


if __name__ == "__main__":
    main()
