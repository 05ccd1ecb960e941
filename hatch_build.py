"""Wheel build hook: ship the grammar's LALR tables so that loading a charter never rebuilds them."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install caches the tables in the user's cache folder instead
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        try:
            from repartition.dsl.parser import write_tables
        finally:
            sys.path.pop(0)
        cache = Path(tempfile.mkdtemp()) / "regles.lark.cache"
        write_tables(cache)
        build_data["force_include"][str(cache)] = "repartition/grammars/regles.lark.cache"
