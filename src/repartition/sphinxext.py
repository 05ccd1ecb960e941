"""Sphinx extension: the `charte` directive renders a charter for its reviewers, the `regle` role links to its rules."""

from __future__ import annotations

from .render.inert import escape
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable

import attrs
from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from .charter import load_charter
from .dsl.names import machine_name, normalize, suggest
from .errors import CharterError, RepartitionError
from .lexer import ReglesLexer
from .render import CharterDocument, describe, rule_anchor, svg
from .render.html import FULL_SIZE
from .render.page import (Aside, Chip, Details, Entries, Facts, Figure, Items, Link, Literal, Para, Quote, Section,
                          Strong, Table, Text, page, toc)
from .render.tables import ANY

__all__ = ["CharterDirective", "CharterDomain", "RuleRole", "setup"]

logger = logging.getLogger(__name__)


# ---- the domain: where each rule is documented, for `:regle:` ------------------------------------

class CharterDomain(Domain):
    """Rules documented by `.. charte::`, found by name (or `fichier:nom` when two charters share a name)."""

    name = "charte"
    label = "Charte de répartition"
    object_types = {"regle": ObjType("règle", "regle")}
    initial_data: dict = {"rules": {}}  # normalized name → [(charter stem, docname, anchor, name)]
    data_version = 1

    @property
    def rules(self) -> dict[str, list[tuple[str, str, str, str]]]:
        return self.data.setdefault("rules", {})

    def note_rule(self, stem: str, name: str, docname: str, anchor: str) -> None:
        self.rules.setdefault(normalize(name), []).append((stem, docname, anchor, name))

    def clear_doc(self, docname: str) -> None:
        for key, entries in list(self.rules.items()):
            kept = [e for e in entries if e[1] != docname]
            if kept:
                self.rules[key] = kept
            else:
                del self.rules[key]

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict) -> None:
        wanted = set(docnames)
        for key, entries in otherdata.get("rules", {}).items():
            self.rules.setdefault(key, []).extend(e for e in entries if e[1] in wanted)

    def _find(self, target: str) -> tuple[list, str]:
        stem, _, rest = target.partition(":")
        if rest and any(normalize(e[0]) == normalize(stem) for v in self.rules.values() for e in v):
            found = [e for e in self.rules.get(normalize(rest), []) if normalize(e[0]) == normalize(stem)]
            return found, rest
        return self.rules.get(normalize(target), []), target

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        found, name = self._find(target)
        if not found:
            names = sorted({e[3] for entries in self.rules.values() for e in entries})
            logger.warning(f"règle inconnue « {name} »{suggest(name, names)}", location=node,
                           type="repartition", subtype="regle")
            return None
        if len(found) > 1:
            choices = ", ".join(f"« {e[0]}:{e[3]} »" for e in found)
            logger.warning(f"règle « {name} » ambiguë : présente dans plusieurs chartes ; écrivez {choices}",
                           location=node, type="repartition", subtype="regle")
        stem, docname, anchor, title = found[0]
        return make_refnode(builder, fromdocname, docname, anchor, contnode, f"règle « {title} »")

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):
        found, _ = self._find(target)
        if len(found) != 1:
            return []
        _, docname, anchor, title = found[0]
        return [("charte:regle", make_refnode(builder, fromdocname, docname, anchor, contnode, title))]

    def get_objects(self):
        for entries in self.rules.values():
            for stem, docname, anchor, name in entries:
                yield f"{stem}:{name}", name, "regle", docname, anchor, 1


class RuleRole(XRefRole):
    """`:regle:` (and `:charte:regle:`): a link to the section of a rule documented by `.. charte::`."""

    innernodeclass = nodes.inline

    def run(self):
        self.name = "charte:regle"  # the bare `regle` role resolves through the charter domain too
        return super().run()


# ---- the directive ------------------------------------------------------------------------------

class CharterDirective(SphinxDirective):
    """`.. charte:: chemin/vers/fichier.regles`: header, verdict, who goes where, articles and rules, tables, diagram."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        written = self.arguments[0]
        _, absolute = self.env.relfn2path(written, self.env.docname)
        self.env.note_dependency(absolute)
        try:
            charter = load_charter(absolute, verify=False)
        except RepartitionError as error:  # a bad charter, or a folder without one version for today
            diagnostics = error.diagnostics if isinstance(error, CharterError) else [error.diagnostic]
            for diagnostic in diagnostics:
                span = diagnostic.span
                where = f"{span.file}:{span.line}" if span else self.get_location()
                logger.warning(diagnostic.message, location=where, type="repartition", subtype="charte")
            return [nodes.warning("", nodes.paragraph(
                text=f"La charte « {written} » ne peut pas être lue : {diagnostics[0].message}"))]
        # Shown to readers as written, without the leading "../" that only makes sense to Sphinx.
        shown = "/".join(part for part in Path(written).parts if part not in ("..", "."))
        document = attrs.evolve(describe(charter), source=shown)
        for dependency in document.dependencies[1:]:
            self.env.note_dependency(str(Path(dependency).resolve()))
        for problem in document.verdict.problems:  # warnings of the proof (redondance) stay on the page
            if problem.severity == "erreur":
                where = f"{absolute}:{problem.line}" if problem.line else self.get_location()
                logger.warning(problem.message, location=where, type="repartition", subtype="verification")
        return _Builder(self, document, Path(absolute).stem).build()


class _Builder:
    """Writes the page's neutral blocks as docutils nodes; ids take the charter's prefix."""

    def __init__(self, directive: CharterDirective, document: CharterDocument, stem: str):
        self.directive = directive
        self.doc = document
        self.stem = stem
        self.prefix = (machine_name(stem) or "charte").replace("_", "-")
        self.domain: CharterDomain = directive.env.get_domain("charte")

    def id(self, target: str) -> str:
        return f"{self.prefix}-{target}"

    def build(self) -> list[nodes.Node]:
        doc = self.doc
        blocks = page(doc)
        colours = "".join(f".puce-{_slug(s.code)} {{ background: {s.colour[0]}; color: {s.colour[1]}; }}"
                          for s in doc.services)
        fields = nodes.field_list(classes=["repartition-entete"])
        fields += _field("Charte", nodes.Text(doc.title))
        out: list[nodes.Node] = [nodes.raw("", f"<style>{colours}</style>", format="html")]
        for block in blocks:
            if isinstance(block, Facts) and block.role == "entete":
                for term, value in block.items:
                    fields += _field(term, *self.inlines(value))
                out.append(fields)
                continue
            out.append(self.block(block))
            if isinstance(block, Section) and block.id == "verification":
                out.append(nodes.container("", nodes.rubric(text="Sommaire"), self.block(toc(blocks)),
                                           classes=["sommaire"]))
        return out

    def block(self, block) -> nodes.Node:
        match block:
            case Section(id=ident, title=title, blocks=blocks, role=role):
                section = nodes.section("", nodes.title(text=title), ids=[self.id(ident)], classes=[role] if role else [])
                section["names"] = [nodes.fully_normalize_name(self.id(ident))]
                if ident == "verification":
                    section["classes"].append("ok" if self.doc.verdict.ok else "echec")
                section.extend(self.block(b) for b in blocks)
                if role == "regle":
                    self.domain.note_rule(self.stem, title, self.directive.env.docname, self.id(ident))
                return section
            case Para(inlines=inlines, role=role):
                return nodes.paragraph("", "", *self.inlines(inlines), classes=[role] if role else [])
            case Quote(text=text):
                return nodes.block_quote("", nodes.paragraph(text=text), classes=["texte-charte"])
            case Facts(items=items, role=role):
                facts = nodes.field_list(classes=[role or "faits"])
                for term, value in items:
                    facts += _field(term, *self.inlines(value))
                return facts
            case Items(items=items, role=role):
                found = nodes.bullet_list(classes=[role] if role else [])
                for item in items:
                    inline = [i for i in item if not isinstance(i, Items)]
                    nested = [self.block(i) for i in item if isinstance(i, Items)]
                    found += nodes.list_item("", nodes.paragraph("", "", *self.inlines(inline)), *nested)
                return found
            case Table(columns=columns, rows=rows, role=role):
                return nodes.container("", self.table(columns, rows, role), classes=["defilement"])
            case Details(summary=summary, blocks=blocks):
                return nodes.container("", nodes.raw("", f"<details><summary>{escape(summary)}</summary>", format="html"),
                                       *(self.block(b) for b in blocks), nodes.raw("", "</details>", format="html"),
                                       classes=["repartition-details"])
            case Figure(graph=graph, title=title):
                name = f"{self.stem}-exceptions.svg"
                docname = self.directive.env.docname
                image = svg(graph, title=title, href=lambda rule: "#" + self.id(rule_anchor(rule)))
                # The full-size file lives in _images/: its boxes link back to the rules on this page.
                alone = svg(graph, title=title, href=lambda rule: f"../{docname}.html#{self.id(rule_anchor(rule))}")
                _diagrams(self.directive.env).setdefault(docname, {})[name] = alone
                up = "../" * docname.count("/")
                link = f'<figcaption><a href="{up}_images/{escape(name)}">{FULL_SIZE}</a></figcaption>'
                return nodes.raw("", f'<figure class="schema">{image}{link}</figure>', format="html")
            case Entries(items=items):
                found = nodes.definition_list(classes=["entrees"])
                for ident, term, body in items:
                    found += nodes.definition_list_item(
                        "", nodes.term(text=term, ids=[self.id(ident)]),
                        nodes.definition("", *(self.block(b) for b in body)))
                return found
        raise TypeError(f"not a block: {block!r}")  # pragma: no cover

    def table(self, head, rows, role: str) -> nodes.table:
        table = nodes.table(classes=["repartition"] + ([role] if role else []))
        group = nodes.tgroup(cols=len(head))
        table += group
        for _ in head:
            group += nodes.colspec(colwidth=1)
        header = nodes.row()
        for column in head:
            header += nodes.entry("", nodes.paragraph(text=column))
        group += nodes.thead("", header)
        body = nodes.tbody()
        for cells in rows:
            row = nodes.row()
            for column, cell in zip(head, cells):
                label = nodes.inline(text=column, classes=["etiquette"])
                row += nodes.entry("", nodes.paragraph("", "", label, *self.inlines(cell)),
                                   classes=["vide"] if cell == (Text(ANY),) else [])
            body += row
        group += body
        return table

    def inlines(self, inlines) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for inline in inlines:
            match inline:
                case Text(text=text):
                    out.append(nodes.Text(text))
                case Strong(text=text):
                    out.append(nodes.strong(text=text))
                case Link(text=text, target=target):
                    out.append(nodes.reference("", "", nodes.Text(text), internal=True, refid=self.id(target)))
                case Literal(text=text):
                    out.append(nodes.literal(text=text))
                case Chip(code=code):
                    out.append(nodes.inline(text=code, classes=["puce", f"puce-{_slug(code)}"]))
                case Aside(inlines=inner):
                    out.append(nodes.inline("", "", *self.inlines(inner), classes=["a-part"]))
                case Items() | Para():
                    out.append(self.block(inline))
                case _:  # pragma: no cover
                    raise TypeError(f"not an inline: {inline!r}")
        return out


def _slug(code: str) -> str:
    return code.lower().replace("_", "-")


def _diagrams(env) -> dict[str, dict[str, str]]:
    """docname → {file name: SVG}: the diagrams to write beside the pages, opened full size from them."""
    if not hasattr(env, "repartition_diagrams"):
        env.repartition_diagrams = {}
    return env.repartition_diagrams


def _purge(app, env, docname) -> None:
    _diagrams(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    _diagrams(env).update({d: found for d, found in _diagrams(other).items() if d in docnames})


def _write_diagrams(app, exception) -> None:
    """Write each page's diagram to `_images/` once the HTML build has succeeded."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "_images"
    for found in _diagrams(app.env).values():
        for name, text in found.items():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")


def _field(name: str, *body: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph("", "", *body)))


def _add_static(app) -> None:
    """Ship the charter pages' stylesheet with the HTML builders."""
    app.config.html_static_path.append(str(Path(__file__).parent / "_static"))


def setup(app) -> dict:
    """Register the lexer, the charter domain, the `charte` directive and the `regle` role."""
    app.add_lexer("regles", ReglesLexer)
    app.add_domain(CharterDomain)
    app.add_role("regle", RuleRole())
    app.add_role_to_domain("charte", "regle", RuleRole())
    app.add_directive("charte", CharterDirective)
    app.connect("builder-inited", _add_static)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _write_diagrams)
    app.add_css_file("repartition.css")
    try:
        release = version("repartition")
    except PackageNotFoundError:  # a source checkout that is not installed
        release = "0"
    return {"version": release, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
