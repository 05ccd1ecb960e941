"""Fresh-process start-up from an installed, read-only wheel: loading charters and routing one household.

Builds the wheel, unpacks it read-only and byte-compiled (as pip installs it), then times fresh
interpreters, their start-up included, median of ROUNDS runs each:
- `import repartition` and `repartition --help`;
- `load_charter` of the two bundled charters and of a 40-rule first-match charter
  (`first_match.py`), cold (an empty cache folder each run: parse, check, compile, prove, and
  write the entry) and warm (the compiled-charter cache holds the charter);
- `repartition orienter --charte policies/dispositif-repartition.regles --menage '…'`, warm and cold.
The goals of issue 11 are printed beside. The machine is shared: read medians, and compare runs
made one after the other; `--instructions` counts each case's instructions once with valgrind's
callgrind instead, a figure that does not depend on the machine's load. `--racine` measures
another checkout (e.g. an older commit) the same way.
Run: python benchmarks/bench_load.py [ROUNDS] [--instructions] [--racine CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from first_match import charter as first_match_charter  # noqa: E402

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
             "connu_services_sociaux": "non"}
#: Goals of issue 11 in seconds, by case and cache state.
GOALS = {("exemple-departemental.regles", "chaud"): 0.100, ("exemple-departemental.regles", "froid"): 0.300,
         ("premier-applicable-40.regles", "froid"): 0.400, ("orienter --menage", "chaud"): 0.120}
_MAIN = "import sys; from repartition.cli import main; sys.exit(main())"  # what the `repartition` script runs


def _read_only_site(root: Path, folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q", "-w", str(folder)],
                   check=True, capture_output=True)
    site = folder / "site"
    zipfile.ZipFile(next(folder.glob("repartition-*.whl"))).extractall(site)
    # As pip does at install time: byte-compile, since a read-only site cannot cache bytecode.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site)], check=True)
    for path in site.rglob("*"):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return site


def _time(args: list[str], env: dict, rounds: int, *, cold: bool) -> float:
    """Median wall time of `args` in a fresh process; cold: with an empty cache folder each time."""
    times = []
    for _ in range(rounds):
        if cold:
            shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _instructions(args: list[str], env: dict, *, cold: bool) -> int:
    """Instructions executed by `args` in a fresh process (valgrind's callgrind), once."""
    if cold:
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    else:
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)  # the cache filled
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode:  # e.g. a proof whose budget counts seconds, which valgrind stretches
        raise RuntimeError(next(line for line in reversed(result.stderr.splitlines()) if line.strip()
                                and not line.startswith("==")))
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def _show(name: str, state: str, args: list[str], env: dict, options) -> None:
    if options.instructions:
        try:
            count = _instructions(args, env, cold=state == "froid")
        except RuntimeError as error:
            print(f"{name:<32} {state:<6} échec sous valgrind : {error}")
        else:
            print(f"{name:<32} {state:<6} {count / 1e6:9.1f} M instructions")
        return
    seconds = _time(args, env, options.rounds, cold=state == "froid")
    goal = GOALS.get((name, state))
    verdict = "" if goal is None else f"  (objectif ≤ {goal * 1000:.0f} ms : {'atteint' if seconds <= goal else 'MANQUÉ'})"
    print(f"{name:<32} {state:<6} {seconds * 1000:7.0f} ms  (médiane de {options.rounds}){verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rounds", nargs="?", type=int, default=11)
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead")
    parser.add_argument("--racine", type=Path, default=HERE.parent, help="checkout to build (default: this one)")
    options = parser.parse_args()
    root = options.racine.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = _read_only_site(root, tmp)
        charters = {name: root / "policies" / name
                    for name in ("dispositif-repartition.regles", "exemple-departemental.regles")}
        charters["premier-applicable-40.regles"] = tmp / "premier-applicable-40.regles"
        charters["premier-applicable-40.regles"].write_text(first_match_charter(40), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp / "cache")}
        env.pop("REPARTITION_CACHE", None)
        python = [sys.executable]
        for name, args in (("interpréteur seul", python + ["-c", "pass"]),
                           ("import repartition", python + ["-c", "import repartition"]),
                           ("repartition --help", python + ["-c", _MAIN, "--help"])):
            _show(name, "", args, env, options)
        for name, path in charters.items():
            args = python + ["-c", "import sys, repartition; repartition.load_charter(sys.argv[1])", str(path)]
            _show(name, "froid", args, env, options)
            _show(name, "chaud", args, env, options)
        args = python + ["-c", _MAIN, "orienter", "--charte", str(charters["dispositif-repartition.regles"]),
                         "--menage", json.dumps(HOUSEHOLD)]
        _show("orienter --menage", "froid", args, env, options)
        _show("orienter --menage", "chaud", args, env, options)


if __name__ == "__main__":
    main()
