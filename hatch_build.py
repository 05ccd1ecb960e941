"""Wheel build hook: ship the grammar's LALR tables, and compile the optional C reader.

The LALR tables spare every charter load from rebuilding them. The C reader
(`src/repartition/_speedups.c`) reads household values faster; where no C compiler is found the
package runs on its Python reading alone, with a warning at build time.
Run `python hatch_build.py` to compile the C reader beside the sources (for `PYTHONPATH=src`).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
SPEEDUPS = Path("src", "repartition", "_speedups.c")


def compile_speedups(root: Path, folder: Path) -> Path | None:
    """Compile the C reader into `folder` for this Python; None, with a warning, if that fails."""
    config = sysconfig.get_config_vars()
    linker, suffix = config.get("LDSHARED"), config.get("EXT_SUFFIX")
    if not linker or not suffix:  # no Unix-style compiler configured (Windows): Python reading only
        print("repartition: pas de compilateur C configuré, lecture en Python seul", file=sys.stderr)
        return None
    target = folder / f"_speedups{suffix}"
    command = [*shlex.split(linker), *shlex.split(config.get("CCSHARED") or ""), "-O2", "-DNDEBUG",
               "-I", sysconfig.get_paths()["include"], str(root / SPEEDUPS), "-o", str(target)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or error
        print(f"repartition: lecteur C non compilé, lecture en Python seul ({detail})", file=sys.stderr)
        return None
    return target


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if version == "editable":
            # The sources are imported in place: the C reader goes beside them, and the LALR
            # tables are cached in the user's cache folder on first use.
            compile_speedups(root, root / SPEEDUPS.parent)
            return
        sys.path.insert(0, str(root / "src"))
        try:
            from repartition.dsl.parser import write_tables
        finally:
            sys.path.pop(0)
        build = Path(tempfile.mkdtemp())
        cache = build / "regles.lark.cache"
        write_tables(cache)
        build_data["force_include"][str(cache)] = "repartition/grammars/regles.lark.cache"
        speedups = compile_speedups(root, build)
        if speedups is not None:  # a compiled module: the wheel is for this platform and Python only
            build_data["force_include"][str(speedups)] = f"repartition/{speedups.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True


if __name__ == "__main__":
    sys.exit(0 if compile_speedups(ROOT, ROOT / SPEEDUPS.parent) else 1)
