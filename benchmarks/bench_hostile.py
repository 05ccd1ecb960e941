"""Load budget on hostile rule files: each loads (proven) or is refused with a located French message.

Every file of `hostile.CLASSES` is written to a temporary folder and loaded by `load_charter` in
a fresh interpreter (cold: an empty cache folder), one at a time, with a hard timeout and a 2 GB
address-space cap. The table gives the outcome, wall time (interpreter start included) and peak
memory (`ru_maxrss`). Budget (issue 11): 10 s and 1 GB per file on a 2-core machine.
`--ordinaire N` times instead the cold load of an ordinary 40-rule first-match policy
(`hostile.first_match(40)`, issue 11's target: 400 ms), median of N fresh interpreters.
Run: python benchmarks/bench_hostile.py [--timeout S] [--only CLASS ...] [--ordinaire N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hostile  # noqa: E402

BUDGET_SECONDS, BUDGET_MB = 10.0, 1024
_CAP = 2 << 30  # address space of a child: a runaway file fails there instead of swapping

# Run in the child: load, then say what happened and the peak memory, as one line of JSON.
_CHILD = """
import json, resource, sys
from repartition import load_charter
from repartition.errors import CharterError
result = {}
try:
    charter = load_charter(sys.argv[1])
    result["issue"] = "prouvée (" + charter._compiled.strategy + ")"
except CharterError as error:
    first = error.diagnostics[0] if error.diagnostics else None
    located = first is not None and first.span is not None
    kind = "refusée" if located else "refusée SANS POSITION"
    result["issue"] = f"{kind} ({len(error.diagnostics)}) : " + (first.message if first else str(error))
except BaseException as error:
    result["issue"] = f"EXCEPTION {type(error).__name__} : {str(error)[:80]}"
result["mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


# Run in the child: import and load, then say how much processor time that took.
_ORDINARY = """
import json, resource, sys
from repartition import load_charter
load_charter(sys.argv[1])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime}))
"""


def ordinary(rounds: int) -> None:
    """Median wall and processor time of a cold load of the 40-rule policy, interpreter start included."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "premiere-applicable-40.regles"
        path.write_text(hostile.first_match(40) + "\n", encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "REPARTITION_CACHE": "0"}
        subprocess.run([sys.executable, "-c", _ORDINARY, str(path)], check=True, env=env,
                       capture_output=True)  # once, so that the grammar's tables are built
        walls, cpus = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _ORDINARY, str(path)], check=True, env=env,
                                  capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            cpus.append(json.loads(done.stdout)["cpu"])
    print(f"politique de 40 règles, chargement à froid (médiane de {rounds}) : "
          f"{statistics.median(walls) * 1000:.0f} ms d'horloge, {statistics.median(cpus) * 1000:.0f} ms de processeur")


def _cap_memory():  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (_CAP, _CAP))


def run_one(path: Path, timeout: float, cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "REPARTITION_CACHE": "0"}
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                              timeout=timeout, env=env, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        return {"issue": f"DÉLAI DÉPASSÉ (> {timeout:.0f} s)", "s": timeout, "mb": float("nan")}
    seconds = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"issue": f"ÉCHEC du processus ({done.returncode}) : {tail[:80]}", "s": seconds,
                "mb": float("nan")}
    return {**json.loads(lines[-1]), "s": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="secondes au plus par fichier")
    parser.add_argument("--only", nargs="*", help="classes à mesurer (toutes par défaut)")
    parser.add_argument("--ordinaire", type=int, metavar="N", help="mesurer plutôt le chargement ordinaire")
    args = parser.parse_args()
    if args.ordinaire:
        ordinary(args.ordinaire)
        return 0
    over = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"| classe | taille | Ko | issue | s | Mo |\n|---|---|---|---|---|---|")
        for kind, (_, sizes) in hostile.CLASSES.items():
            if args.only and kind not in args.only:
                continue
            for size in sizes:
                path = folder / f"{kind}-{size}.regles"
                text = hostile.generate(kind, size)
                path.write_text(text, encoding="utf-8")
                size_kb = len(text.encode("utf-8")) / 1024
                result = run_one(path, args.timeout, folder / "cache")
                within = result["s"] <= BUDGET_SECONDS and result["mb"] <= BUDGET_MB
                over += not within
                print(f"| {kind} | {size} | {size_kb:.0f} | {result['issue'][:110]} | {result['s']:.2f} | "
                      f"{result['mb']:.0f}{'' if within else ' HORS BUDGET'} |", flush=True)
    print(f"\n{over} fichier(s) hors budget ({BUDGET_SECONDS:.0f} s, {BUDGET_MB} Mo).")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
