"""The README's two commands stay true: CI runs its test command verbatim."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.DOTALL)


def test_readme_gives_exactly_two_commands():
    """The README has exactly two shell commands: the main job and the test suite."""
    commands = _commands()
    assert len(commands) == 2
    assert "repartition orienter" in commands[0] and "policies/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    """.ci/run contains the README's test command, character for character."""
    assert _commands()[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_language_tour_is_a_valid_charter():
    """The charter shown in the README's five-minute tour loads, is proven and its example passes."""
    import repartition

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = re.search(r"```\n(charte .*?)```", text, flags=re.DOTALL).group(1)
    charter = repartition.Charter.from_text(tour, name="README.md")
    assert charter.check_examples() == [] and len(charter.rules) == 3
