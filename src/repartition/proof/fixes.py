"""How to settle a gap, a conflict or an undetermined case: what to write in the charter, and what it changes.

A conflict is settled by saying which rule wins (`, par exception à « B »` on A, or the reverse); a
gap by a rule whose condition is the gap's region, written in the language; an undetermined case by
testing the unknown data (`… est connu et …`), by a rule for the case where it is unknown, or by
declaring that it is always known. What a choice changes is computed exactly, not guessed: the
charter and the charter as corrected are split together until both outcomes are fixed on every
region, and each region whose outcome changes is described with a household routed through both
by the interpreter. A drafted rule changes its region only, by construction (its condition is true
exactly there and never unknown); the tests add it and prove the charter again.
"""

from __future__ import annotations

import functools

import attrs
from attrs import frozen

from .. import model as m
from .. import runtime
from ..dsl import ast
from ..dsl.formatter import condition_lines, rule_head
from ..dsl.interpreter import Interpreter
from ..dsl.lowering import Domain, fields_of, lower
from ..errors import NoDecision
from ..semantics import CONFLICT, DECIDED, GAP, UNDETERMINED, Semantics, members
from .examples import Undecided, external, solve
from .problems import Problem, describe, simplify
from .regions import DEFAULT_WORK, Budget, Explorer
from .wording import Unwritable, box_condition, named_sets

__all__ = ["Effect", "Choice", "Correction", "correct", "changes", "MAX_CORRECTED"]

#: Problems that get a correction, in report order (the rest of a long report only says what is wrong).
MAX_CORRECTED = 12
#: Units of work (as the proof counts them) allowed to compute what one choice changes, and what
#: all the choices of a report change: together a fraction of the proof's own allowance, so that a
#: refused charter is still refused within the load budget (issue 11: 10 s on 2 cores).
CHOICE_WORK = DEFAULT_WORK // 8
REPORT_WORK = DEFAULT_WORK // 2
_MAX_CHOICES = 3  # ways to settle a conflict between many rules, or to test many unknown data
_MAX_DRAFT_BOXES = 8  # beyond, a drafted condition would be too long to read: a default rule is proposed
_NOTHING_ELSE = "rien d'autre ne change"
_NOT_ROUTED = {f"non orientés ({label})" for label in NoDecision.LABELS.values()}


@frozen
class Effect:
    """Households (a region, in French) whose outcome a choice changes, and one of them."""

    region: str
    before: str
    after: str
    example: dict | None = None

    def text(self) -> str:
        return f"{self.region} : {self.before} → {self.after}"

    def to_dict(self) -> dict:
        return {"region": self.region, "avant": self.before, "apres": self.after, "exemple": self.example}


@frozen
class Choice:
    """One way to settle a problem: what to write (`code`, in the rule language) and where, and
    every change it makes (`complete` is False when they could not all be computed in budget)."""

    action: str
    code: str
    line: int | None
    effects: tuple[Effect, ...]
    complete: bool = True
    #: For a drafted rule: the services it may name instead of the first (its effects say the first).
    services: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"action": self.action, "ecrire": self.code, "ligne": self.line,
                "effets": [e.to_dict() for e in self.effects], "effets_complets": self.complete,
                "services_au_choix": list(self.services)}


@frozen
class Correction:
    """How to settle one problem: a French summary, the choices, and a note (data to declare)."""

    kind: str  # exception, regle, donnee_inconnue
    summary: str
    choices: tuple[Choice, ...]
    note: str | None = None

    def to_dict(self) -> dict:
        return {"type": self.kind, "texte": self.summary, "choix": [c.to_dict() for c in self.choices],
                "note": self.note}

    def render(self, region: str) -> list[str]:
        """Indented French lines for the text report of the problem whose region is `region`."""
        lines = [f"  pour corriger : {self.summary}"]
        for number, choice in enumerate(self.choices, 1):
            lines.append(f"    {number}. {choice.action}")
            lines += [f"         {line}" for line in choice.code.splitlines()]
            lines += _effects_lines(choice, region)
        if self.note:
            lines.append(f"    {self.note}")
        return lines

    def text(self, region: str) -> str:
        """One line: the summary and each choice with its code, for messages and the reviewer's page."""
        parts = [f"{c.action} {' '.join(c.code.split())} — effet : {_effects_text(c, region)}" for c in self.choices]
        text = f"{self.summary} " + " ; ou ".join(f"({n}) {p}" for n, p in enumerate(parts, 1))
        return f"{text} ; {self.note}" if self.note else text


def _effects_lines(choice: Choice, region: str) -> list[str]:
    """`effet : …` on one line, or one line per region when the choice changes several."""
    if len(choice.effects) < 2:
        return [f"       effet : {_effects_text(choice, region)}"]
    shown = [f"         - {_effect_text(e, region)} ;" for e in choice.effects]
    tail = _NOTHING_ELSE if choice.complete else "d'autres changements n'ont pas pu être calculés"
    return ["       effets :", *shown, f"         {tail}."]


def _effect_text(effect: Effect, region: str) -> str:
    return f"{'ces ménages' if effect.region == region else effect.region} : {effect.before} → {effect.after}"


def _effects_text(choice: Choice, region: str) -> str:
    """The changes of a choice, « ces ménages » standing for the problem's own region."""
    if not choice.effects:
        return f"{_NOTHING_ELSE}." if choice.complete else "non calculé (charte trop grande)."
    shown = [_effect_text(e, region) for e in choice.effects]
    tail = _NOTHING_ELSE if choice.complete else "d'autres changements n'ont pas pu être calculés"
    return " ; ".join(shown) + f" ; {tail}."


# ---- the problems of a report -----------------------------------------------------------------

def correct(model: m.CharterModel, domain: Domain, problems: list[Problem]) -> list[Problem]:
    """The problems, the first MAX_CORRECTED gaps, conflicts and undetermined cases able to compute
    their correction when it is first read (`domain` is the one their boxes were cut in)."""
    out, done, context = [], 0, _Context(model, domain)
    for problem in problems:
        fixer = _FIXERS.get(problem.kind)
        if fixer is not None and problem.boxes and done < MAX_CORRECTED:
            done += 1
            problem = attrs.evolve(problem, fixer=_Lazy(functools.partial(fixer, context, problem)))
        out.append(problem)
    return out


class _Lazy:
    """A correction computed on first use; a pickled report carries it computed."""

    def __init__(self, compute):
        self._compute = compute

    def __call__(self) -> Correction:
        if self._compute is not None:
            self._value, self._compute = self._compute(), None
        return self._value

    def __reduce__(self):
        return (_Lazy, (functools.partial(_identity, self()),))


def _identity(value):
    return value


class _Context:
    """What the corrections of one report share: the charter, the domain its problems' boxes were
    cut in, the rule names drafts take, the default rule proposed for every gap, the work left."""

    def __init__(self, model: m.CharterModel, domain: Domain):
        self.model = model
        self.domain = domain
        self.index = {r.name: r for r in model.rules}
        self.taken: set[str] = set()
        self.default: Choice | None = None
        self.work_left = REPORT_WORK

    def rules(self, problem: Problem) -> list[m.Rule]:
        return [self.index[name] for name, _ in problem.rules]

    def condition(self, boxes) -> tuple[ast.Expr | None, str | None]:
        """The region as a condition of the language, or None (everyone, or too long to read); and,
        when the language cannot say it, a French note that says so and why."""
        merged = simplify(self.domain, boxes)
        if not merged or len(merged) > _MAX_DRAFT_BOXES:
            return None, None
        sets = named_sets(self.model)
        try:
            parts = [box_condition(self.domain, region, fixed, sets) for region, fixed in merged]
        except Unwritable as error:
            return None, f"leur condition ne s'écrit pas dans le langage : {error}"
        if any(p is None for p in parts):
            return None, None
        flat = [q for p in parts for q in (p.operands if isinstance(p, ast.Or) else (p,))]
        return (flat[0] if len(flat) == 1 else ast.Or(tuple(flat))), None

    def default_choice(self) -> Choice:
        """A default rule at the end of the charter (the same for every gap), with what it changes."""
        if self.default is None:
            model, name = self.model, self.new_name("Autres ménages")
            service = model.services[0]
            default = m.Rule(name, len(model.rules), None, service)
            effects, complete = self.changes(attrs.evolve(model, rules=model.rules + (default,)))
            code = "\n".join(rule_head(name, []) + [f"  dans tous les autres cas, {service.code}"])
            self.default = Choice("ou, pour tous les ménages qu'aucune règle ne répartit, ajoutez à la fin de la "
                                  f"charte (avec le service choisi au lieu de {service.code}) :", code, None,
                                  effects, complete, tuple(s.code for s in model.services))
        return self.default

    def changes(self, changed: m.CharterModel, first: str | None = None) -> tuple[tuple[Effect, ...], bool]:
        """What a change changes, within what is left of the report's allowance (nothing when spent)."""
        if self.work_left <= 0:
            return (), False
        budget = Budget(min(CHOICE_WORK, self.work_left))
        found = changes(self.model, changed, first=first, budget=budget)
        self.work_left -= budget.used
        return found

    def settles(self, changed: m.CharterModel, problem: Problem) -> bool:
        """Whether the change gives the problem's example household another outcome."""
        if problem.example is None:
            return True
        values = tuple(runtime.read(f, problem.example[f.machine]) for f in self.model.fields)
        return _outcome(self.model, values) != _outcome(changed, values)

    def new_name(self, wanted: str) -> str:
        """A rule name that no rule has and no other draft of the report takes."""
        name, number = wanted, 2
        while name in self.index or name in self.taken:
            name, number = f"{wanted} ({number})", number + 1
        self.taken.add(name)
        return name


def _conflict(context: _Context, problem: Problem) -> Correction:
    """Each rule in turn wins over the rules of other services: the exception clause, and its effect."""
    rules = context.rules(problem)
    choices = []
    for winner in rules[:_MAX_CHOICES]:
        losers = [r for r in rules if r.service.code != winner.service.code and r.index not in winner.overrides]
        names = [context.model.rules[i].name for i in winner.overrides] + [r.name for r in losers]
        changed = _with_rule(context.model, attrs.evolve(winner, overrides=winner.overrides + tuple(
            r.index for r in losers)))
        effects, complete = context.changes(changed, problem.region)
        loser_names = " et ".join(f"« {r.name} »" for r in losers)
        choices.append(Choice(
            f"si « {winner.name} » l'emporte sur {loser_names}, écrivez son en-tête (ligne {winner.line}) ainsi :",
            "\n".join(rule_head(winner.name, names)), winner.line, effects, complete))
    return Correction("exception", "dites quelle règle l'emporte là où elles s'appliquent ensemble :",
                      tuple(choices))


def _gap(context: _Context, problem: Problem) -> Correction:
    """A rule for exactly these households, or a default rule for every household no rule routes."""
    services = [s.code for s in context.model.services]
    choices = []
    condition, unwritable = context.condition(problem.boxes)
    if condition is not None:
        code = _draft(context.new_name("Ménages sans service"), [], condition, services[0])
        choices.append(Choice(
            f"pour ces ménages seulement, ajoutez par exemple (avec le service choisi au lieu de {services[0]}) :",
            code, None, (Effect(problem.region, _outcome_text(GAP), services[0], problem.example),),
            services=tuple(services)))
    choices.append(context.default_choice())
    return Correction("regle", f"ajoutez une règle qui les oriente (son service à choisir parmi {_codes(services)}) :",
                      tuple(choices), unwritable and f"Aucune règle n'est proposée pour ces ménages seulement, car "
                      f"{unwritable} ; décrivez-les d'après leur région ci-dessus.")


def _undetermined(context: _Context, problem: Problem) -> Correction:
    """Test the unknown data in the rules that might apply, or give its case a rule, or declare it known."""
    model = context.model
    involved = context.rules(problem)
    unknown = _unknown_fields(context.domain, problem.boxes, problem.example)
    choices = []
    for rule in [r for r in involved if not r.is_default]:
        read = fields_of(lower(rule.condition))
        f = next((f for f in unknown if f.index in read), None)
        if f is None or len(choices) == _MAX_CHOICES:
            continue
        changed = _with_rule(model, attrs.evolve(rule, condition=m.All((m.Known(f), rule.condition))))
        if not context.settles(changed, problem):
            continue  # the rule is true there whatever the value: testing it would settle nothing
        effects, complete = context.changes(changed, problem.region)
        start = f"{_subject_text(f)} est connu et " + ("(…)" if isinstance(rule.condition, m.Any) else "…")
        line = rule.condition.span.line if rule.condition.span else rule.line
        choices.append(Choice(
            f"si « {rule.name} » ne s'applique pas quand on ignore « {f.label} », commencez sa condition "
            f"(ligne {line}) par « {_subject_text(f)} est connu et » :", f"si {start}", line, effects, complete))
    condition, unwritable = context.condition(problem.boxes)
    if condition is not None:
        services = list(dict.fromkeys(r.service.code for r in involved))
        aside = [r.name for r in involved if not r.is_default]
        code = _draft(context.new_name(_unknown_rule_name(unknown)), aside, condition, services[0])
        choices.append(Choice(
            "si la charte dit quel service suit ces ménages, ajoutez une règle pour ce cas (avec ce service "
            f"au lieu de {services[0]}) :", code, None,
            (Effect(problem.region, _outcome_text(UNDETERMINED), services[0], problem.example),),
            services=tuple(dict.fromkeys(services + [s.code for s in model.services]))))
    declared = [f for f in unknown if f.may_be_unknown and f.span is not None]
    note = None
    if declared:
        note = "ou, si " + " et ".join(f"« {f.label} »" for f in declared) + " ne peu" + (
            "t" if len(declared) == 1 else "vent") + " pas manquer, retirez « peut être inconnu » de " + \
            " et ".join(f"sa déclaration (ligne {f.span.line})" for f in declared) + \
            " : un ménage où elle manque sera alors refusé à la lecture, sans être orienté."
    if unwritable:
        note = " ".join(filter(None, [f"Aucune règle n'est proposée pour ce cas seulement, car {unwritable}.", note]))
    names = " ou ".join(f"« {f.label} »" for f in unknown) or "une donnée"
    return Correction("donnee_inconnue", f"dites ce que devient le ménage quand on ignore {names} :",
                      tuple(choices), note)


_FIXERS = {CONFLICT: _conflict, GAP: _gap, UNDETERMINED: _undetermined}


def _draft(name: str, exceptions: list[str], condition: ast.Expr, service: str) -> str:
    return "\n".join(rule_head(name, exceptions) + condition_lines(condition, "  si ") + [f"  alors {service}"])


def _unknown_fields(domain: Domain, boxes, example: dict | None) -> list[m.Field]:
    """Fields whose unknown value is part of the region (those unknown in its example household if
    any): the ones that are unknown throughout a part of it first."""
    only, among = [], []
    for cells in domain.fields:
        masks = [region[cells.field.index] for region, _ in boxes]
        if not cells.unknown_bit or all(mask == cells.full or not mask & cells.unknown_bit for mask in masks):
            continue
        (only if any(mask == cells.unknown_bit for mask in masks) else among).append(cells.field)
    found = only + among
    shown = [f for f in found if example is not None and example.get(f.machine) is None]
    return shown or found


def _unknown_rule_name(fields: list[m.Field]) -> str:
    return (f"{fields[0].label[:1].upper()}{fields[0].label[1:]} inconnu" if len(fields) == 1
            else "Données inconnues")


def _subject_text(f: m.Field) -> str:
    return f"{f.determiner or ''}{f.label}"


def _codes(codes: list[str]) -> str:
    return ", ".join(codes[:-1]) + f" ou {codes[-1]}" if len(codes) > 1 else codes[0]


def _with_rule(model: m.CharterModel, rule: m.Rule) -> m.CharterModel:
    """The model with one rule replaced (same index)."""
    rules = list(model.rules)
    rules[rule.index] = rule
    return attrs.evolve(model, rules=tuple(rules))


# ---- what a change of the charter changes -----------------------------------------------------

_EXAMPLE_TRIES = 12  # regions tried for a household that the interpreter routes as the region says


def changes(model: m.CharterModel, changed: m.CharterModel, *, first: str | None = None,
            budget: Budget | None = None) -> tuple[tuple[Effect, ...], bool]:
    """Every region of households whose outcome (service, or why none) differs between a model and
    the same model changed (same fields; rules changed, added or given new exceptions), each with a
    household routed through both by the interpreter; and whether the budget allowed all of them.
    The region described as `first` comes first, then those that were not routed before.

    One exploration fixes both outcomes on each region: the rules whose part may differ (a changed
    condition or new exceptions, theirs or those of a rule above them) join the model again as they
    are in the changed one, and the domain is split until every rule's part is fixed (`_Pair`).
    """
    old, new = Semantics(model), Semantics(changed)
    copy_of = {j: len(model.rules) + k for k, j in enumerate(_affected(model, changed, old, new))}
    rules = []
    for rule in model.rules:  # a rule the same in both also sets aside, in the copies, what it sets aside
        extra = tuple(copy_of[t] for t in changed.rules[rule.index].overrides if t in copy_of)
        rules.append(attrs.evolve(rule, overrides=rule.overrides + extra) if rule.index not in copy_of else rule)
    for j, index in copy_of.items():
        rule = changed.rules[j]
        rules.append(attrs.evolve(rule, index=index, overrides=tuple(copy_of[t] for t in rule.overrides)))
    both = attrs.evolve(model, rules=tuple(rules))
    explorer = Explorer(both, _Pair(both, old, new, copy_of))
    leaves, pending = explorer.explore(budget or Budget(CHOICE_WORK))
    complete = not pending
    found: dict[tuple, list] = {}
    for leaf in leaves:
        before, after = (_key(o) for o in leaf.outcome)
        if before == after:
            continue
        if leaf.fixed:  # ratio comparisons: the region may hold no household
            try:
                if solve(explorer.domain, leaf.region, leaf.fixed, model.valid_from) is None:
                    continue
            except Undecided:
                complete = False
                continue
        found.setdefault((before, after), []).append(leaf)
    effects = []
    for (before, after), group in found.items():
        boxes = tuple((leaf.region, leaf.fixed) for leaf in group)
        example = _example(explorer.domain, model, changed, group, (before, after))
        effects.append(Effect(describe(explorer.domain, model, boxes), _outcome_text(*before),
                              _outcome_text(*after), example))
    effects.sort(key=lambda e: (e.region != first, e.before not in _NOT_ROUTED))
    return tuple(effects), complete


def _affected(model: m.CharterModel, changed: m.CharterModel, old: Semantics, new: Semantics) -> list[int]:
    """The changed model's rules whose part may differ from the model's: a new or changed condition,
    other rules above them, or a rule above them whose condition changed (and so every rule below
    one of them). The others are the same in both: same condition, same rules above, unchanged."""
    count = len(model.rules)
    conditions = {r.index for r in changed.rules if not r.is_default
                  and (r.index >= count or model.rules[r.index].condition != r.condition)}
    affected = 0
    for j in new.ordinary:
        above_old = old.above[j] if j < count else 0
        if j in conditions or new.above[j] != above_old or any(new.above[j] >> c & 1 for c in conditions):
            affected |= (1 << j) | new.below[j]
    return list(members(affected))


class _Pair(Semantics):
    """Both charters' meaning over one model holding the first's rules and, after them, the
    second's rules whose part may differ: a leaf where every rule's part is fixed fixes both
    outcomes, and its outcome is the pair of them."""

    def __init__(self, both: m.CharterModel, old: Semantics, new: Semantics, copy_of: dict[int, int]):
        super().__init__(both)
        self.old, self.new = old, new
        self.old_bits = (1 << len(old.services)) - 1
        self.kept = sum(1 << j for j in new.ordinary if j not in copy_of) & self.old_bits
        self.moved = tuple(copy_of.items())

    def resolve_bits(self, true: int, unknown: int, among: int | None = None):
        bits = self.old_bits
        return (self.old.resolve_bits(true & bits, unknown & bits, None if among is None else among & bits),
                self.new.resolve_bits(self._new(true), self._new(unknown), None if among is None else self._new(among)))

    def _new(self, bits: int) -> int:
        """Rules of the combined model as the changed model's rules: the same, then the copies."""
        out = bits & self.kept
        for rule, copy in self.moved:
            if bits >> copy & 1:
                out |= 1 << rule
        return out


def _example(domain: Domain, model: m.CharterModel, changed: m.CharterModel, leaves, keys) -> dict | None:
    """A household of the regions that the interpreter routes as they say, in both charters."""
    old, new = Semantics(model), Semantics(changed)
    for leaf in leaves[:_EXAMPLE_TRIES]:
        try:
            point = solve(domain, leaf.region, leaf.fixed, model.valid_from)
        except Undecided:
            continue
        if point is None:
            continue
        household = external(model, point)
        values = tuple(runtime.read(f, household[f.machine]) for f in model.fields)
        if (_outcome(model, values, old), _outcome(changed, values, new)) == keys:
            return household
    return None


def _key(outcome) -> tuple[str, str | None]:
    return (outcome.kind, outcome.service)


def _outcome(model: m.CharterModel, values: tuple, semantics: Semantics | None = None) -> tuple[str, str | None]:
    """The kind and service of a household's outcome (internal values), by the interpreter."""
    outcome = (semantics or Semantics(model)).resolve(Interpreter().conditions(model.rules, values))
    return (outcome.kind, outcome.service)


def _outcome_text(kind: str, service: str | None = None) -> str:
    return service if kind == DECIDED else f"non orientés ({NoDecision.LABELS[kind]})"
