"""Lazy package attributes: a name a package re-exports is imported from its module on first use."""

from __future__ import annotations

import importlib
from typing import Callable


def exports(namespace: dict, where: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for the package of `namespace` (its `globals()`), whose public
    name `n` lives in its module `where[n]`.

    Importing the package then costs nothing: `import repartition.cli` does not load the compiler.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # found directly from now on
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
