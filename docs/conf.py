"""Sphinx configuration of the repartition documentation (in French; built with -W in CI)."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("repartition") is None:  # a checkout that is not installed
    sys.path.insert(0, str(ROOT / "src"))

project = "repartition"
author = "Les contributeurs de repartition"
copyright = "2026, les contributeurs de repartition"
language = "fr"
extensions = ["sphinx.ext.autodoc", "repartition.sphinxext"]
exclude_patterns = ["_build", "exemples"]
html_theme = "alabaster"
html_static_path: list[str] = []
templates_path = ["_templates"]  # the sidebar's search field and neighbours, and the footer, in French
# Wide enough for the decision tables of a charter beside the sidebar at 1366 px; narrower
# windows get the theme's one-column layout.
html_theme_options = {"page_width": "1240px", "body_max_width": "none", "show_powered_by": False}
html_show_sourcelink = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
