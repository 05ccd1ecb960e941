"""The charter pages seen in a real browser, as reviewers see them: headless Chromium at 1366 and 390 px."""

from __future__ import annotations

import base64
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import repartition
from repartition.cli import main
from repartition.render import decision_tables, exception_graph, rule_anchor

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = Path(os.environ.get("ARTEFACTS_DIR", ROOT / "artefacts"))
CHARTERS = ("dispositif-repartition", "exemple-departemental")
WIDTHS = (1366, 390)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1366,900")

# Visible: laid out with a size, not hidden, intersecting the viewport once scrolled to, and not
# covered by another element at the centre of what shows.
_VISIBLE = """
const element = arguments[0];
element.scrollIntoView({block: 'center', inline: 'nearest'});
const box = element.getBoundingClientRect();
const style = getComputedStyle(element);
const left = Math.max(box.left, 0), right = Math.min(box.right, window.innerWidth);
const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
let onTop = false;
if (right > left && bottom > top) {
  const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  onTop = hit !== null && (hit === element || element.contains(hit) || hit.contains(element));
}
return {width: box.width, height: box.height, shown: style.visibility !== 'hidden' && style.display !== 'none',
        inView: right > left && bottom > top, onTop: onTop, left: box.left, right: box.right};
"""

# The page and its parts, measured: overflow of the page, each decision table against its box and the
# viewport, the diagram against the text column, and the size its labels are drawn at.
_MEASURE = """
const page = document.documentElement;
const tables = [...document.querySelectorAll('table.decision')].map(table => {
  const box = table.parentElement;
  const firsts = [...table.querySelectorAll('tbody tr > td:first-child')].map(td => {
    const r = td.getBoundingClientRect(); return [r.left, r.right]; });
  return {width: table.getBoundingClientRect().width, box: box.clientWidth, scroll: box.scrollWidth,
          cards: getComputedStyle(table.querySelector('thead')).display === 'none', firsts: firsts};
});
const svg = document.querySelector('svg.repartition-graphe');
let diagram = null;
if (svg) {
  const rect = svg.getBoundingClientRect();
  const scale = rect.width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const links = [...svg.querySelectorAll('g.repartition-noeud')].map(g => {
    const a = g.closest('a'); const href = a ? a.getAttribute('href') : null;
    return href && href.startsWith('#') && document.getElementById(href.slice(1)) !== null; });
  diagram = {width: rect.width, column: svg.closest('figure').parentElement.getBoundingClientRect().width,
             smallest: Math.min(...sizes), links: links};
}
return {scroll: page.scrollWidth, client: page.clientWidth, tables: tables, diagram: diagram};
"""


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} est absent (paquets Debian chromium et chromium-driver)"
    if importlib.util.find_spec("selenium") is None:
        return "selenium est absent (option test)"
    return None


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """A headless Chromium driven through chromedriver; skipped locally without it, failed in CI."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"test du navigateur impossible en CI : {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profil')}")
    browser = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, str]]:
    """(kind, charter) → (built page, prefix of its ids): docs/ built once with Sphinx, and `documenter`'s pages."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(ROOT / "docs"), str(out)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    alone = tmp_path_factory.mktemp("autonome")
    found = {}
    for charter in CHARTERS:
        assert main(["documenter", str(ROOT / "policies" / f"{charter}.regles"), "-o", str(alone)]) == 0
        found["sphinx", charter] = (out / "chartes" / f"{charter}.html", f"{charter}-")
        found["autonome", charter] = (alone / f"{charter}.html", "")
    return found


def _assert_visible(driver, element, what: str) -> dict:
    state = driver.execute_script(_VISIBLE, element)
    assert state["width"] > 0 and state["height"] > 0, f"{what} : taille nulle {state}"
    assert state["shown"] and state["inView"] and state["onTop"], f"{what} : invisible {state}"
    return state


def _screenshot(driver, path: Path, top: float = 0, height: float | None = None) -> None:
    """A PNG of a band of the page (the whole page when it is short) through the DevTools protocol."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(height or size["height"], size["height"] - top, 12000)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": top, "width": size["width"], "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def _top_of(driver, selector: str) -> float:
    return driver.execute_script("return document.querySelector(arguments[0]).getBoundingClientRect().top + scrollY",
                                 selector)


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("charter", CHARTERS)
@pytest.mark.parametrize("kind", ["sphinx", "autonome"])
def test_charter_page_reads_at_width(driver, pages, kind, charter, width):
    """At 1366 and 390 px, on the Sphinx page and the standalone page: the page never scrolls sideways,
    every rule's heading shows, each decision table's Règle column shows without scrolling (the tables
    fit at 1366 px; at 390 px their rows are cards), and the diagram fits its column with labels of
    12 px or more whose boxes link to their rules. Screenshots are kept as artefacts."""
    from selenium.webdriver.common.by import By

    page, prefix = pages[kind, charter]
    loaded = repartition.load_charter(ROOT / "policies" / f"{charter}.regles", verify=False)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(page.as_uri())
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    for rule in loaded.rules:
        heading = driver.find_element(By.CSS_SELECTOR, f"section#{prefix}{rule_anchor(rule.name)} > h3")
        # Sphinx sets apostrophes typographically (’): the same name for a reader.
        assert heading.text.rstrip("¶").strip().replace("’", "'") == rule.name.replace("’", "'")
        _assert_visible(driver, heading, f"règle « {rule.name} »")

    measured = driver.execute_script(_MEASURE)
    assert measured["scroll"] <= measured["client"], f"la page déborde : {measured['scroll']} px pour {width} px"
    tables = measured["tables"]
    assert len(tables) == len(decision_tables(loaded.model).tables)
    for table in tables:
        assert table["scroll"] <= table["box"] + 1, f"table de décision défilante : {table['scroll']} > {table['box']}"
        assert table["cards"] == (width < 600)
        for left, right in table["firsts"]:
            assert 0 <= left and right <= measured["client"], f"colonne Règle hors de l'écran : {left}–{right}"
    for cell in driver.find_elements(By.CSS_SELECTOR, "table.decision tbody tr > td:first-child a")[:3]:
        _assert_visible(driver, cell, f"règle « {cell.text} » d'une table de décision")

    diagram = measured["diagram"]
    assert diagram is not None
    assert diagram["width"] <= diagram["column"], f"schéma plus large que sa colonne : {diagram}"
    assert diagram["smallest"] >= 12, f"étiquettes du schéma trop petites : {diagram['smallest']} px"
    assert len(diagram["links"]) == len(exception_graph(loaded.model).nodes) and all(diagram["links"])

    name = f"{kind}-{charter}-{width}"
    _screenshot(driver, ARTEFACTS / f"{name}.png", 0, 3000)
    _screenshot(driver, ARTEFACTS / f"{name}-tables.png", _top_of(driver, "table.decision") - 60, 2400)
    _screenshot(driver, ARTEFACTS / f"{name}-schema.png", _top_of(driver, "svg.repartition-graphe") - 40, 1800)
    assert (ARTEFACTS / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
