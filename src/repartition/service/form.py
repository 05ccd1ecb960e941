"""The secretariat's form: one HTML page generated from the charter's fields, answered by the server, in French."""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any

from attrs import frozen

from .. import model as m
from .. import runtime
from ..charter import Charter
from ..decision import Decision
from ..errors import InvalidHousehold, NoDecision

__all__ = ["page", "answer", "household_from", "Answer", "HEADERS", "STYLESHEET", "UNKNOWN"]

#: The value of the « inconnu » choice of a list or a yes/no question.
UNKNOWN = "?"
#: Everything the page uses comes from the service itself: no script, no asset from elsewhere.
HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
STYLESHEET = (resources.files(__package__) / "static" / "formulaire.css").read_bytes()


@frozen
class Answer:
    """The page answering a submitted form, its status, and the household to log if the charter
    decided (or refused to)."""

    html: str
    status: int
    logged: dict[str, Any] | None


def household_from(charter: Charter, submitted: dict[str, str]) -> dict[str, Any]:
    """The household a submitted form stands for. « inconnu » chosen in a list is unknown; a list
    left alone is absent (its default, or « à renseigner »: no choice is made for the agent); an
    empty box is absent if it has a default, unknown if it may be, absent otherwise."""
    household: dict[str, Any] = {}
    for field in charter.fields:
        raw = submitted.get(field.machine, "")
        if raw == UNKNOWN and _is_choice(field):
            household[field.machine] = None
        elif raw.strip():
            household[field.machine] = raw
        elif field.may_be_unknown and not field.has_default and not _is_choice(field):
            household[field.machine] = None
    return household


def _problems(charter: Charter, household: dict[str, Any]) -> dict[str, InvalidHousehold]:
    """Every field that cannot be read, each with its error (the form shows them all at once)."""
    problems = {}
    for field in charter.fields:
        try:
            if field.machine in household:
                runtime.read(field, household[field.machine])
            elif not field.has_default:
                runtime.missing(field)
        except InvalidHousehold as error:
            problems[field.machine] = error
    return problems


def answer(charter: Charter, submitted: dict[str, str]) -> Answer:
    """Read the form, route its household, and show the decision, or each error by its field."""
    household = household_from(charter, submitted)
    problems = _problems(charter, household)
    if problems:
        return Answer(page(charter, submitted, problems=problems), 422, None)
    try:
        validated = charter.validate(household)
        decision = charter.route(validated)
    except InvalidHousehold as error:  # a code its unit table lacks
        problems = {error.field or "": error}
        return Answer(page(charter, submitted, problems=problems), 422, None)
    except NoDecision as error:
        return Answer(page(charter, submitted, refusal=error), 422, household)
    result = _decision_html(charter, decision, validated.values)
    return Answer(page(charter, submitted, result=result), 200, household)


# ---- the page ----
def page(charter: Charter, submitted: dict[str, str] | None = None, *,
         problems: dict[str, InvalidHousehold] | None = None, result: str | None = None,
         refusal: NoDecision | None = None) -> str:
    """The whole page: header, then the answer (decision, refusal or errors), then the form."""
    submitted = submitted or {}
    problems = problems or {}
    version = f", version {escape(charter.version)}" if charter.version else ""
    top = []
    if result is not None:
        top.append(result)
    if refusal is not None:
        top.append(_refusal_html(refusal))
    if problems:
        top.append(_summary_html(charter, problems))
    fields = "\n".join(_field_html(f, submitted.get(f.machine, ""), problems.get(f.machine)) for f in charter.fields)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Orienter un signalement — {escape(charter.title)}</title>
<link rel="stylesheet" href="static/formulaire.css">
<link rel="icon" href="data:,">
</head>
<body>
<header>
<h1>Orienter un signalement</h1>
<p class="charte">Charte « {escape(charter.title)} »{version}</p>
</header>
<main>
{"".join(top)}
<form method="post" action="" novalidate>
<p class="consigne">Renseignez ce que le signalement indique ; le service est désigné selon la charte.</p>
{fields}
<div class="actions"><button type="submit">Orienter</button></div>
</form>
</main>
</body>
</html>
"""


def _is_choice(field: m.Field) -> bool:
    return isinstance(field.type, (m.BoolType, m.EnumType))


def _hint(field: m.Field) -> str:
    kind = field.type
    if isinstance(kind, m.MoneyType):
        hint = "montant en euros au centime près" + kind.bounds_text() + " (par exemple 1 234,56)"
    elif isinstance(kind, m.DateType):
        hint = "date (jour, mois, année)"
    elif isinstance(kind, m.EnumType):
        hint = "une valeur de la liste"
    else:
        hint = kind.expected
    if field.has_default:
        hint += f" ; vide : {field.text(field.default)} par défaut"
    elif field.may_be_unknown:
        hint += " ; vide : inconnu" if not _is_choice(field) else " ; « inconnu » si le signalement ne le dit pas"
    return hint


def _field_html(field: m.Field, value: str, problem: InvalidHousehold | None) -> str:
    name = escape(field.machine)
    control_id, hint_id, error_id = f"f-{name}", f"aide-{name}", f"erreur-{name}"
    described = hint_id + (f" {error_id}" if problem else "")
    invalid = ' aria-invalid="true"' if problem else ""
    error = f'<p class="erreur" id="{error_id}">{escape(_problem_text(problem))}</p>' if problem else ""
    hint = f'<p class="aide" id="{hint_id}">{escape(_hint(field))}</p>'
    css = "champ en-erreur" if problem else "champ"
    if isinstance(field.type, m.BoolType):
        choices = [("oui", "oui"), ("non", "non")] + ([(UNKNOWN, "inconnu")] if field.may_be_unknown else [])
        radios = "".join(
            f'<label class="choix"><input type="radio" name="{name}" value="{escape(v)}" id="{control_id}-{i}"'
            f'{" checked" if value == v else ""}{invalid}> {escape(text)}</label>'
            for i, (v, text) in enumerate(choices))
        return (f'<fieldset class="{css}" id="champ-{name}" aria-describedby="{described}">'
                f'<legend>{escape(_label(field))}</legend>{hint}<div class="choix-liste">{radios}</div>{error}</fieldset>')
    if isinstance(field.type, m.EnumType):
        empty = (f"— par défaut : {field.text(field.default)} —" if field.has_default else "— choisir —")
        options = [("", empty)] + ([(UNKNOWN, "inconnu")] if field.may_be_unknown else [])
        options += [(v.machine, v.label) for v in field.type.values]
        listed = "".join(f'<option value="{escape(v)}"{" selected" if value == v else ""}>{escape(text)}</option>'
                         for v, text in options)
        control = (f'<select name="{name}" id="{control_id}" aria-describedby="{described}"{invalid}>'
                   f'{listed}</select>')
    else:
        kind = field.type
        attributes = {m.IntType: 'type="text" inputmode="numeric"', m.MoneyType: 'type="text" inputmode="decimal"',
                      m.DateType: 'type="date"', m.CodeType: 'type="text" autocomplete="off"'}[type(kind)]
        if isinstance(kind, m.CodeType) and kind.pattern is not None:  # the shape, matched whole by the browser
            attributes += f' pattern="{escape(kind.pattern)}"'
        control = (f'<input {attributes} name="{name}" id="{control_id}" value="{escape(value)}" '
                   f'aria-describedby="{described}"{invalid}>')
    return (f'<div class="{css}" id="champ-{name}"><label for="{control_id}">{escape(_label(field))}</label>'
            f'{hint}{control}{error}</div>')


def _label(field: m.Field) -> str:
    """The field's label as a heading: its first letter capitalised."""
    return field.label[:1].upper() + field.label[1:]


def _problem_text(problem: InvalidHousehold) -> str:
    if problem.code == "champ_absent":
        return "À renseigner."
    shown = problem.value if isinstance(problem.value, str) else "vide"
    return f"Valeur « {shown} » invalide : attendu {problem.expected_text}."


def _summary_html(charter: Charter, problems: dict[str, InvalidHousehold]) -> str:
    labels = {f.machine: _label(f) for f in charter.fields}
    items = "".join(f'<li><a href="#f-{escape(k)}">{escape(labels.get(k, k))}</a> : {escape(_problem_text(p))}</li>'
                    for k, p in problems.items())
    count = len(problems)
    title = "Une donnée est à corriger" if count == 1 else f"{count} données sont à corriger"
    return (f'<section class="erreurs" id="erreurs" role="alert" aria-labelledby="titre-erreurs">'
            f'<h2 id="titre-erreurs">{title}</h2><ul>{items}</ul></section>')


def _refusal_html(error: NoDecision) -> str:
    rules = "".join(f"<li>« {escape(r)} »</li>" for r in error.rules)
    listed = f"<p>Règles en cause :</p><ul>{rules}</ul>" if rules else ""
    return (f'<section class="refus" id="decision" role="alert" aria-labelledby="titre-decision">'
            f'<h2 id="titre-decision">Ménage non orienté</h2>'
            f'<p class="nature" data-nature="{escape(error.kind)}">{escape(error.diagnostic.message)}</p>{listed}'
            f'<p>La charte ne permet pas de choisir un service pour ce ménage : le signalement est à examiner '
            f'par la CCAPEX.</p></section>')


def _decision_html(charter: Charter, decision: Decision, values: tuple) -> str:
    fields = {f.machine: f for f in charter.fields}
    rule = next(r for r in charter.rules if r.name == decision.rule)
    unit = (f'<p>Unité : <strong class="unite">{escape(decision.unit)}</strong></p>' if decision.unit else "")
    labels = charter.services
    partners = ", ".join(f"{code} — {labels[code]}" for code in decision.partners)
    unit += f'<p>En lien avec : <strong class="partenaires">{escape(partners)}</strong></p>' if partners else ""
    text = f'<blockquote class="texte">{escape(rule.text)}</blockquote>' if rule.text else ""
    reference = f'<p class="reference">Référence : {escape(rule.reference)}</p>' if rule.reference else ""
    where = f" (ligne {rule.line})" if rule.line else ""
    kind = "Règle par défaut" if rule.is_default else "Règle"
    facts = "".join(f"<dt>{escape(fields[k].label)}</dt><dd>{escape(fields[k].text(values[fields[k].index]))}</dd>"
                    for k in decision.facts)
    facts_html = f'<h3>Données retenues</h3><dl class="faits">{facts}</dl>' if facts else ""
    return (f'<section class="decision" id="decision" aria-labelledby="titre-decision">'
            f'<h2 id="titre-decision">Décision</h2>'
            f'<p>Service : <strong class="service" data-service="{escape(decision.service)}">'
            f'{escape(decision.service)} — {escape(decision.service_label)}</strong></p>{unit}'
            f'<p>{kind} : <strong class="regle">« {escape(rule.name)} »</strong>{where}</p>{text}{reference}'
            f'{facts_html}<h3>Explication</h3><p class="explication">{escape(decision.explanation)}</p>'
            f'<p class="empreinte">Charte {escape(charter.sha256[:12])}…</p></section>')
