"""The built charter pages seen in a real browser: headless Chromium checks that readers can see them."""

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
from repartition.render import decision_tables, exception_graph, rule_anchor

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = Path(os.environ.get("ARTEFACTS_DIR", ROOT / "artefacts"))
PAGES = {  # built page → (charter, screenshot: the whole page, or the window on the diagram of a long page)
    "chartes/dispositif-repartition.html": ("dispositif-repartition.regles", "charte.png", False),
    "chartes/exemple-departemental.html": ("exemple-departemental.regles", "schema-departemental.png", True),
}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900")

# Visible: laid out with a size, not hidden, intersecting the viewport once scrolled to, and not
# covered by another element at the centre of what shows.
_VISIBLE = """
const element = arguments[0];
element.scrollIntoView({block: 'center', inline: 'center'});
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
        inView: right > left && bottom > top, onTop: onTop};
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
def site(tmp_path_factory) -> Path:
    """docs/ built once for this module (warnings are the docs build test's business)."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(ROOT / "docs"), str(out)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def _assert_visible(driver, element, what: str) -> None:
    state = driver.execute_script(_VISIBLE, element)
    assert state["width"] > 0 and state["height"] > 0, f"{what} : taille nulle {state}"
    assert state["shown"] and state["inView"] and state["onTop"], f"{what} : invisible {state}"


def _screenshot(driver, path: Path, element=None) -> None:
    """A PNG of the whole page through the DevTools protocol, or of the window showing one element."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if element is not None:
        driver.execute_script("arguments[0].parentElement.scrollLeft = 0;"
                              "arguments[0].scrollIntoView({block: 'start'});", element)
        path.write_bytes(driver.get_screenshot_as_png())
        return
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.slow
@pytest.mark.parametrize("built", sorted(PAGES))
def test_charter_page_is_visible(driver, site, built):
    """Every rule's heading, every decision table and the exception diagram show on the page."""
    from selenium.webdriver.common.by import By

    charter_file, picture, diagram_only = PAGES[built]
    page = site / built
    charter = repartition.load_charter(ROOT / "policies" / charter_file, verify=False)
    driver.get(page.as_uri())
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    prefix = Path(charter_file).stem
    for rule in charter.rules:
        heading = driver.find_element(By.CSS_SELECTOR, f"section#{prefix}-{rule_anchor(rule.name)} > h3")
        # Sphinx sets apostrophes typographically (’): the same name for a reader.
        assert heading.text.rstrip("¶").strip().replace("’", "'") == rule.name.replace("’", "'")
        _assert_visible(driver, heading, f"règle « {rule.name} »")
    tables = driver.find_elements(By.CSS_SELECTOR, "table.decision")
    assert len(tables) == len(decision_tables(charter.model).tables)
    for table in tables:
        _assert_visible(driver, table, "table de décision")
        assert table.find_elements(By.CSS_SELECTOR, "tbody tr")
    diagram = driver.find_element(By.CSS_SELECTOR, "svg.repartition-graphe")
    _assert_visible(driver, diagram, "schéma des exceptions")
    nodes = diagram.find_elements(By.CSS_SELECTOR, "g.repartition-noeud")
    assert len(nodes) == len(exception_graph(charter.model).nodes)
    for node in nodes:
        _assert_visible(driver, node, f"nœud « {node.get_attribute('data-regle')} » du schéma")
    _screenshot(driver, ARTEFACTS / picture, diagram if diagram_only else None)
    assert (ARTEFACTS / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
