"""The secretariat's form in headless Chromium, served by the real service: filled with the keyboard, submitted,
the decision read; a bad value shown next to its field; labels for every control; usable 390 px wide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import repartition
import repartition.service.form

from conftest import FICHE, POLICIES, ROOT
from servers import Server
from test_browser import _assert_visible, driver  # noqa: F401 - the fixture, shared with the docs' test

pytestmark = pytest.mark.slow

ARTEFACTS = Path(os.environ.get("ARTEFACTS_DIR", ROOT / "artefacts"))
PHONE = 390


@pytest.fixture(scope="module")
def browser(driver):
    """The docs' headless Chromium (test_browser.py: skipped locally without it, failed in CI), a phone's width."""
    driver.set_window_size(PHONE, 844)
    return driver


@pytest.fixture(scope="module")
def fiche_server():
    with Server("--charte", FICHE, "--intervalle", "0") as server:
        yield server


def _by(css: str):
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def _submitted(driver, submit) -> None:
    """Submit (a key or a click), and wait for the answer's page to replace this one: a mark left on
    this page's window is gone from the new one. (Asking whether the old <html> went stale races with
    the navigation: Chromium may answer that its node no longer belongs to the document.)"""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.avantEnvoi = true")
    submit()
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(lambda d: d.execute_script(
        "return window.avantEnvoi === undefined && document.readyState === 'complete'"))


def _fits_the_width(driver) -> None:
    """Nothing wider than the window: no sideways scrolling at 390 px."""
    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] <= PHONE, width


def _every_control_is_labelled(driver) -> None:
    """Each input and list has a label a screen reader announces (its <label for>, or the label around it)."""
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('input, select')].filter(c =>
            !(c.labels && c.labels.length && c.labels[0].textContent.trim())).map(c => c.name);""")
    assert unlabelled == []


def test_fill_submit_and_read_the_decision(browser, fiche_server):
    """Typed with the keyboard (tab, arrows, typing) and sent with Enter: the page shows the service, the
    rule with the charter's text, the facts and the explanation, as the Python API says."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    browser.get(fiche_server.url + "/")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "fr"
    assert browser.title.startswith("Orienter un signalement")
    _every_control_is_labelled(browser)
    _fits_the_width(browser)
    children = browser.find_element(*_by("#f-enfants_a_charge"))
    children.click()
    children.send_keys("2", Keys.TAB, Keys.SPACE)  # the next control: « oui » for the housing allowance
    assert browser.find_element(*_by("#f-aide_au_logement-0")).is_selected()
    Select(browser.find_element(*_by("#f-stade_procedure"))).select_by_visible_text("assignation")
    browser.find_element(*_by("#f-connu_services_sociaux-1")).click()  # « non »
    _submitted(browser, lambda: children.send_keys(Keys.ENTER))
    decision = browser.find_element(*_by("section#decision"))
    _assert_visible(browser, decision, "décision")
    household = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
                 "connu_services_sociaux": "non"}
    expected = repartition.load_charter(FICHE).route(household)
    assert decision.find_element(*_by(".service")).get_attribute("data-service") == expected.service
    assert decision.find_element(*_by(".regle")).text == f"« {expected.rule} »"
    assert decision.find_element(*_by(".texte")).text.startswith("L'ensemble des ménages en procédure judiciaire")
    assert decision.find_element(*_by(".explication")).text == expected.explanation
    facts = [d.text for d in decision.find_elements(*_by("dl.faits dd"))]
    assert facts == ["2", "oui", "assignation"]
    assert browser.find_element(*_by("#f-enfants_a_charge")).get_attribute("value") == "2"  # kept for the next one
    _fits_the_width(browser)
    _screenshot(browser, "formulaire-decision.png")


def test_a_bad_value_is_shown_next_to_its_field(browser, fiche_server):
    """A word where a number is expected: the message sits in that field's block, is linked to the control
    (aria-describedby, aria-invalid) and listed at the top with a link to the field; no decision is shown."""
    from selenium.webdriver.common.keys import Keys

    browser.get(fiche_server.url + "/")
    children = browser.find_element(*_by("#f-enfants_a_charge"))
    _submitted(browser, lambda: children.send_keys("deux", Keys.ENTER))
    block = browser.find_element(*_by("#champ-enfants_a_charge"))
    message = block.find_element(*_by(".erreur"))
    _assert_visible(browser, message, "message d'erreur")
    assert message.text.startswith("Valeur « deux » invalide : attendu un nombre entier")
    control = browser.find_element(*_by("#f-enfants_a_charge"))
    assert control.get_attribute("aria-invalid") == "true"
    assert message.get_attribute("id") in control.get_attribute("aria-describedby").split()
    summary = browser.find_element(*_by("#erreurs"))
    assert summary.find_element(*_by("a")).get_attribute("href").endswith("#f-enfants_a_charge")
    assert browser.find_elements(*_by("section#decision")) == []
    _fits_the_width(browser)
    _screenshot(browser, "formulaire-erreur.png")


def test_the_departmental_form_at_a_phones_width(browser, tmp_path):
    """Every kind of field (date, amount, code, lists with « inconnu », defaults) fits 390 px, labelled;
    a date typed at the keyboard and an amount with a comma and a space are read."""
    from selenium.webdriver.support.ui import Select

    with Server("--charte", POLICIES / "exemple-departemental.regles", "--intervalle", "0") as server:
        browser.get(server.url + "/")
        _every_control_is_labelled(browser)
        _fits_the_width(browser)
        fill = {"#f-commune": "96011", "#f-enfants_a_charge": "0", "#f-dette_locative": "3 000,50",
                "#f-loyer_mensuel": "500"}
        for css, text in fill.items():
            browser.find_element(*_by(css)).send_keys(text)
        # Day and month alike: the same date whatever order the browser's locale puts them in.
        browser.find_element(*_by("#f-date_signalement")).send_keys("02022026")
        assert browser.find_element(*_by("#f-date_signalement")).get_attribute("value") == "2026-02-02"
        Select(browser.find_element(*_by("#f-stade_procedure"))).select_by_visible_text("assignation")
        Select(browser.find_element(*_by("#f-type_bailleur"))).select_by_visible_text("inconnu")
        for name in ("aide_au_logement", "prestations_familiales", "connu_services_sociaux"):
            browser.find_element(*_by(f"#f-{name}-1")).click()  # « non »
        _submitted(browser, browser.find_element(*_by("button[type=submit]")).click)
        decision = browser.find_element(*_by("section#decision"))
        _assert_visible(browser, decision, "décision")
        charter = repartition.load_charter(POLICIES / "exemple-departemental.regles")
        expected = charter.route({"commune": "96011", "enfants_a_charge": 0, "dette_locative": "3000.50",
                                  "loyer_mensuel": "500", "date_signalement": "2026-02-02",
                                  "stade_procedure": "assignation", "type_bailleur": None, "aide_au_logement": False,
                                  "prestations_familiales": False, "connu_services_sociaux": False})
        assert decision.find_element(*_by(".service")).get_attribute("data-service") == expected.service
        assert decision.find_element(*_by(".explication")).text == expected.explanation
        _fits_the_width(browser)
        _screenshot(browser, "formulaire-departemental.png")


def _screenshot(driver, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / name))
    assert (ARTEFACTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_code_field_carries_its_shape():
    """A code of declared shape gets its pattern (matched whole by the browser) and its shape in the hint."""
    charter = repartition.load_charter(POLICIES / "exemple-departemental.regles")
    html = repartition.service.form.page(charter)
    assert 'type="text" autocomplete="off" pattern="([0-9]{5}|2[AB][0-9]{3})" name="commune"' in html
    assert "un code commune INSEE : 5 chiffres, ou 2A ou 2B suivis de 3 chiffres" in html
