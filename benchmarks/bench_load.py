"""Cold-process load time of the bundled charters from an installed, read-only wheel.

Builds the wheel, unpacks it read-only, then times fresh interpreters that import repartition and
load a bundled charter (interpreter start-up included), against an interpreter that does nothing.
Run: python benchmarks/bench_load.py [ROUNDS]
"""

from __future__ import annotations

import os
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHARTERS = ("dispositif-repartition.regles", "exemple-departemental.regles")


def _read_only_site(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(folder)],
                   check=True, capture_output=True)
    site = folder / "site"
    zipfile.ZipFile(next(folder.glob("repartition-*.whl"))).extractall(site)
    # As pip does at install time: byte-compile, since a read-only site cannot cache bytecode.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site)], check=True)
    for path in site.rglob("*"):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return site


def _time(code: str, env: dict, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(rounds: int = 15) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = _read_only_site(Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        empty = _time("pass", env, rounds)
        print(f"interpréteur seul : {empty * 1000:.0f} ms")
        imported = _time("import repartition", env, rounds)
        print(f"import repartition : {imported * 1000:.0f} ms")
        for name in CHARTERS:
            code = f"import repartition; repartition.load_charter(repartition.bundled_charter({name!r}))"
            print(f"chargement de {name} : {_time(code, env, rounds) * 1000:.0f} ms (médiane de {rounds})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
