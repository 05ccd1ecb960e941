"""The flow picture of a charter change on real households: old services left, new right, widths as counts."""

from __future__ import annotations

from html import escape

__all__ = ["flow_svg", "impact_html", "impact_markdown"]

_WIDTH, _HEIGHT, _GAP, _BAR, _MARGIN = 760, 420, 12, 14, 190
_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")


def _stack(totals: dict[str, int], scale: float) -> dict[str, float]:
    """The top of each node's bar, nodes in order, a gap between them."""
    tops, y = {}, 20.0
    for label, count in totals.items():
        tops[label] = y
        y += count * scale + _GAP
    return tops


def flow_svg(flows: dict[tuple[str, str], int]) -> str:
    """An SVG of the flows (old label, new label) → households: each band as wide as its count."""
    flows = {k: n for k, n in flows.items() if n > 0}
    left: dict[str, int] = {}
    right: dict[str, int] = {}
    for (a, b), n in sorted(flows.items()):
        left[a] = left.get(a, 0) + n
        right[b] = right.get(b, 0) + n
    total = sum(flows.values()) or 1
    scale = (_HEIGHT - 40 - _GAP * max(len(left), len(right), 1)) / total
    tops_left, tops_right = _stack(left, scale), _stack(right, scale)
    colours = {label: _COLOURS[i % len(_COLOURS)] for i, label in enumerate(dict.fromkeys([*left, *right]))}
    x0, x1 = _MARGIN, _WIDTH - _MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="repartition-flux" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
           f'role="img" aria-label="Flux des ménages entre l\'ancienne et la nouvelle version">',
           f'<text x="{x0}" y="14" text-anchor="end" font-size="12">ancienne version</text>',
           f'<text x="{x1}" y="14" font-size="12">nouvelle version</text>']
    used_left = dict.fromkeys(left, 0.0)
    used_right = dict.fromkeys(right, 0.0)
    for (a, b), n in sorted(flows.items(), key=lambda item: (list(left).index(item[0][0]), list(right).index(item[0][1]))):
        height = n * scale
        ya, yb = tops_left[a] + used_left[a], tops_right[b] + used_right[b]
        used_left[a] += height
        used_right[b] += height
        middle = (x0 + x1) / 2
        path = (f"M{x0},{ya:.1f} C{middle},{ya:.1f} {middle},{yb:.1f} {x1},{yb:.1f} "
                f"L{x1},{yb + height:.1f} C{middle},{yb + height:.1f} {middle},{ya + height:.1f} {x0},{ya + height:.1f} Z")
        out.append(f'<path d="{path}" fill="{colours[a]}" fill-opacity="0.45">'
                   f"<title>{escape(a)} → {escape(b)} : {n}</title></path>")
    for side, totals, tops, x, anchor, dx in (("g", left, tops_left, x0 - _BAR, "end", -6),
                                             ("d", right, tops_right, x1, "start", _BAR + 6)):
        for label, count in totals.items():
            height = max(count * scale, 1.0)
            out.append(f'<rect x="{x}" y="{tops[label]:.1f}" width="{_BAR}" height="{height:.1f}" '
                       f'fill="{colours[label]}"/>')
            out.append(f'<text x="{x + (dx if anchor == "start" else dx)}" y="{tops[label] + height / 2 + 4:.1f}" '
                       f'text-anchor="{anchor}" font-size="12">{escape(label)} ({count})</text>')
    out.append("</svg>")
    return "\n".join(out)


def _rows(impact) -> list[tuple[str, str, int]]:
    return [(a, b, n) for (a, b), n in sorted(impact.by_service().items(), key=lambda item: -item[1])]


def impact_html(impact) -> str:
    """A standalone page: the charters, the flow picture, the counts per change and the first movers."""
    e = escape
    head = (f"<h1>Effet de la nouvelle version sur les ménages</h1><p>Ancienne : {e(impact.old.title)} "
            f"(version {e(str(impact.old.version))}) — nouvelle : {e(impact.new.title)} (version "
            f"{e(str(impact.new.version))}) — données : {e(impact.source)}, {impact.total} ménage(s), dont "
            f"{impact.moving} changent de service.</p>")
    table = "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{n}</td></tr>" for a, b, n in _rows(impact))
    movers = "".join(f"<tr><td>{e(m.identifier)}</td><td>{e(m.old.label)}</td><td>{e(m.old.rule or '')}</td>"
                     f"<td>{e(m.new.label)}</td><td>{e(m.new.rule or '')}</td></tr>" for m in impact.movers)
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Effet de la nouvelle version"
            "</title><style>body{font-family:sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem}"
            "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem}"
            ".repartition-flux{max-width:100%;height:auto}</style></head><body>" + head
            + f'<h2 id="flux">Flux des ménages</h2><div class="flux">{flow_svg(impact.by_service())}</div>'
            + "<h2 id=\"par-service\">Par service</h2><table><thead><tr><th>Ancienne version</th><th>Nouvelle "
            "version</th><th>Ménages</th></tr></thead><tbody>" + table + "</tbody></table>"
            + "<h2 id=\"deplaces\">Ménages qui changent de service</h2><table><thead><tr><th>Ménage</th><th>Avant"
            "</th><th>Règle</th><th>Après</th><th>Règle</th></tr></thead><tbody>" + movers
            + "</tbody></table></body></html>\n")


def impact_markdown(impact, picture: str) -> str:
    """The same page in Markdown; `picture` is the relative path of the flow picture's SVG file."""
    clean = lambda text: str(text).replace("|", "\\|")  # noqa: E731
    lines = ["# Effet de la nouvelle version sur les ménages", "",
             f"{impact.total} ménage(s) ({clean(impact.source)}), dont {impact.moving} changent de service.", "",
             f"![Flux des ménages]({picture})", "", "| Ancienne version | Nouvelle version | Ménages |", "|---|---|---|"]
    lines += [f"| {clean(a)} | {clean(b)} | {n} |" for a, b, n in _rows(impact)]
    return "\n".join(lines) + "\n"
