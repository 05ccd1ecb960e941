"""The exception graph of a charter ("A s'applique par exception à B"), drawn as an SVG ladder.

Rules stand one under the other, each exception above the rules it sets aside (file order where
the exceptions allow it); every exception is an arrow running in its own lane beside the boxes,
so no arrow ever crosses a box, and the picture is narrow enough for a phone at its natural size
(labels stay at 12 px or more: it is never scaled down to fit).
"""

from __future__ import annotations

import heapq
import re
import textwrap
import zlib
from .inert import escape
from typing import Callable

from attrs import frozen

from .. import model as m

__all__ = ["GraphNode", "GraphEdge", "ExceptionGraph", "exception_graph", "svg", "service_colour", "WIDTH"]

#: Natural width of the picture, in px: it fits the text column of a 390 px wide phone, unscaled.
WIDTH = 320

# Fill and text colour of the services the bundled charters and most départements name, from the
# Okabe–Ito palette (told apart with any kind of colour blindness); the same on every charter.
_KNOWN = {
    "DEPARTEMENT": ("#0072B2", "#ffffff"),
    "CAF": ("#E69F00", "#000000"),
    "MSA": ("#009E73", "#000000"),
    "CCAS": ("#CC79A7", "#000000"),
    "BAILLEUR_SOCIAL": ("#F0E442", "#000000"),
    "ADIL": ("#56B4E9", "#000000"),
    "EQUIPE_MOBILE": ("#D55E00", "#000000"),
    "CCAPEX": ("#999999", "#000000"),
}
# Other codes take a colour of Paul Tol's palette by a stable hash of the code (the next free one
# when two codes of a charter meet).
_OTHERS = (("#332288", "#ffffff"), ("#88CCEE", "#000000"), ("#44AA99", "#000000"), ("#117733", "#ffffff"),
           ("#999933", "#000000"), ("#DDCC77", "#000000"), ("#CC6677", "#000000"), ("#882255", "#ffffff"),
           ("#AA4499", "#ffffff"), ("#DDDDDD", "#000000"))

_NAME_FONT = 13   # px, bold: the rule's name
_SMALL_FONT = 12  # px: the service and line under it
_CHAR = 8.4       # px, a generous width of a bold 13 px sans-serif character (never overflows its box)
_LINE = 17        # px between two lines of a name
_PAD = 8          # px inside a box
_GAP = 10         # px between two boxes
_LANE = 7         # px between two arrow lanes
_PORT = 6         # px between two arrows meeting a box


@frozen
class GraphNode:
    rule: str
    service: str
    line: int | None
    layer: int  # 0: overrides nothing; otherwise one more than the highest rule it overrides


@frozen
class GraphEdge:
    """`source` applies by exception to `target` (and wins over it)."""

    source: str
    target: str


@frozen
class ExceptionGraph:
    nodes: tuple[GraphNode, ...]  # in file order
    edges: tuple[GraphEdge, ...]
    services: tuple[tuple[str, str], ...]  # (code, label) of every service, for the legend


def exception_graph(model: m.CharterModel) -> ExceptionGraph:
    """The rules taking part in an exception, with their layer; the checker has excluded cycles."""
    involved = {r.index for r in model.rules if r.overrides}
    involved.update(t for r in model.rules for t in r.overrides)
    layers: dict[int, int] = {}

    def layer(index: int) -> int:
        if index not in layers:
            targets = model.rules[index].overrides
            layers[index] = 1 + max(layer(t) for t in targets) if targets else 0
        return layers[index]

    nodes = tuple(GraphNode(r.name, r.service.code, r.line, layer(r.index))
                  for r in model.rules if r.index in involved)
    edges = tuple(GraphEdge(r.name, model.rules[t].name) for r in model.rules for t in r.overrides)
    return ExceptionGraph(nodes, edges, tuple((s.code, s.label) for s in model.services))


def service_colour(codes: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """(fill, text) colour of each service code: fixed for known codes, a stable hash for the others."""
    colours = {code: _KNOWN[code] for code in codes if code in _KNOWN}
    taken = set(colours.values())
    for code in codes:
        if code in colours:
            continue
        start = zlib.crc32(code.encode("utf-8")) % len(_OTHERS)
        choice = next((c for i in range(len(_OTHERS)) if (c := _OTHERS[(start + i) % len(_OTHERS)]) not in taken),
                      _OTHERS[start])
        colours[code] = choice
        taken.add(choice)
    return colours


def _ladder(graph: ExceptionGraph) -> list[GraphNode]:
    """Nodes top to bottom: each exception above the rules it sets aside, otherwise in file order."""
    position = {n.rule: i for i, n in enumerate(graph.nodes)}
    waiting = {n.rule: 0 for n in graph.nodes}  # exceptions over a rule not placed yet
    below: dict[str, list[str]] = {n.rule: [] for n in graph.nodes}
    for edge in graph.edges:
        waiting[edge.target] += 1
        below[edge.source].append(edge.target)
    ready = [position[rule] for rule, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node = graph.nodes[heapq.heappop(ready)]
        order.append(node)
        for target in below[node.rule]:
            waiting[target] -= 1
            if waiting[target] == 0:
                heapq.heappush(ready, position[target])
    return order


def _lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per arrow (0 next to the boxes) so that arrows of one lane never overlap; short ones inside."""
    lanes = [0] * len(spans)
    used: list[list[tuple[int, int]]] = []
    for i in sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i])):
        low, high = spans[i]
        lane = next((k for k, taken in enumerate(used) if all(high < a or low > b for a, b in taken)), len(used))
        if lane == len(used):
            used.append([])
        used[lane].append((low, high))
        lanes[i] = lane
    return lanes


def svg(graph: ExceptionGraph, *, title: str = "Exceptions entre les règles",
        href: Callable[[str], str | None] | None = None) -> str:
    """A standalone SVG image of the graph; `href` gives each rule's link. Every charter text is escaped."""
    order = _ladder(graph)
    index = {n.rule: i for i, n in enumerate(order)}
    edges = [e for e in graph.edges if e.source in index and e.target in index]
    spans = [(index[e.source], index[e.target]) for e in edges]
    lanes = _lanes(spans)
    lane_count = max(lanes, default=-1) + 1
    box_width = WIDTH - 2 - _PAD - lane_count * _LANE
    per_line = max(8, int((box_width - 2 * _PAD) / _CHAR))
    colours = service_colour(tuple(code for code, _ in graph.services))

    # Boxes, top to bottom; each box is tall enough for its name and for the arrows that meet it.
    ports: dict[int, list[int]] = {i: [] for i in range(len(order))}
    for k, (low, high) in enumerate(spans):
        ports[low].append(k)
        ports[high].append(k)
    boxes, y = [], 1.0
    for i, node in enumerate(order):
        # Numbers and their unit stay together: « 5 000 € » is never cut.
        name = re.sub(r"(?<=\d) (?=\d{3}\b|€)", "\u00a0", node.rule)
        lines = textwrap.wrap(name, per_line) or [name]
        text_height = len(lines) * _LINE + _SMALL_FONT + 6 + 2 * _PAD
        height = max(text_height, (len(ports[i]) + 1) * _PORT)
        boxes.append((1.0, y, box_width, height, lines, node))
        y += height + _GAP
    height = y - _GAP + 1

    def port_y(i: int, k: int) -> float:
        _, top, _, box_height, _, _ = boxes[i]
        # Outgoing arrows leave from the top half, incoming ones arrive at the bottom half, in lane order.
        mine = sorted(ports[i], key=lambda e: (spans[e][0] != i, lanes[e] if spans[e][0] == i else -lanes[e]))
        step = box_height / (len(mine) + 1)
        return top + step * (mine.index(k) + 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe" role="img" '
        f'width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'aria-label="{escape(title)}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="{_NAME_FONT}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="repartition-fleche" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#222"/></marker></defs>',
    ]
    right = 1.0 + box_width
    for k, edge in enumerate(edges):
        low, high = spans[k]
        x = right + _PAD + lanes[k] * _LANE
        y1, y2 = port_y(low, k), port_y(high, k)
        out.append(f'<path class="repartition-exception" d="M {right:.1f} {y1:.1f} H {x - 3:.1f} '
                   f'Q {x:.1f} {y1:.1f} {x:.1f} {y1 + 3:.1f} V {y2 - 3:.1f} Q {x:.1f} {y2:.1f} {x - 3:.1f} {y2:.1f} '
                   f'H {right + 1:.1f}" fill="none" stroke="#222" stroke-width="1.4" '
                   f'marker-end="url(#repartition-fleche)"><title>{escape(edge.source)} s\'applique par exception '
                   f'à {escape(edge.target)}</title></path>')
    for box in boxes:
        out.extend(_node(box, colours.get(box[5].service, ("#ffffff", "#000000")), href))
    out.append("</svg>")
    return "\n".join(out)


def _node(box: tuple, colour: tuple[str, str], href) -> list[str]:
    """A rule's box, a link to its rule: its name in bold, then its service and line."""
    x, y, box_width, box_height, lines, node = box
    fill, ink = colour
    link = href(node.rule) if href else None
    out = [f'<a href="{escape(link)}">' if link else "",
           f'<g class="repartition-noeud" data-regle="{escape(node.rule)}">',
           f"<title>{escape(node.rule)} ({escape(node.service)})</title>",
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_width:.1f}" height="{box_height:.1f}" rx="5" '
           f'fill="{fill}" stroke="#222"/>']
    top = y + (box_height - (len(lines) * _LINE + _SMALL_FONT + 6)) / 2
    for i, line in enumerate(lines):
        out.append(f'<text x="{x + _PAD:.1f}" y="{top + (i + 1) * _LINE - 4:.1f}" font-weight="bold" '
                   f'fill="{ink}">{escape(line)}</text>')
    detail = node.service + (f" · ligne {node.line}" if node.line else "")
    out.append(f'<text x="{x + _PAD:.1f}" y="{top + len(lines) * _LINE + _SMALL_FONT + 1:.1f}" '
               f'font-size="{_SMALL_FONT}" fill="{ink}">{escape(detail)}</text>')
    out.append("</g>")
    if link:
        out.append("</a>")
    return [part for part in out if part]
