"""The exception graph of a charter ("A s'applique par exception à B"), laid out in layers and drawn as SVG."""

from __future__ import annotations

import textwrap

from attrs import frozen

from .. import model as m
from .inert import escape

__all__ = ["GraphNode", "GraphEdge", "ExceptionGraph", "exception_graph", "svg"]

# Fill colours by service, in declaration order (colour-blind safe pastels, dark text on all).
_PALETTE = ("#cfe2f3", "#fce5cd", "#d9ead3", "#ead1dc", "#fff2cc", "#d0e0e3", "#e6e6e6", "#f4cccc")
_CHAR = 7.4       # average width of a 13px sans-serif character, in px
_LINE = 17        # line height, px
_PAD = 10         # inner padding of a box
_GAP_X = 28       # between boxes of one layer
_GAP_Y = 64       # between layers
_WRAP = 30        # characters per line of a rule name


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
    nodes: tuple[GraphNode, ...]
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


def _order(graph: ExceptionGraph, sweeps: int = 4) -> list[list[GraphNode]]:
    """Layers top (most specific exceptions) to bottom, ordered to cross few edges.

    Starting from file order, each layer is sorted by the mean position of its neighbours in the
    layer below, then in the layer above, a few times over (the barycentre heuristic).
    """
    depth = max((n.layer for n in graph.nodes), default=-1) + 1
    rows: list[list[GraphNode]] = [[] for _ in range(depth)]
    for node in graph.nodes:
        rows[node.layer].append(node)
    below: dict[str, list[str]] = {n.rule: [] for n in graph.nodes}
    above: dict[str, list[str]] = {n.rule: [] for n in graph.nodes}
    for edge in graph.edges:
        below[edge.source].append(edge.target)
        above[edge.target].append(edge.source)

    def arrange(row: list[GraphNode], neighbours: dict[str, list[str]], position: dict[str, float]) -> None:
        def centre(item: tuple[int, GraphNode]) -> tuple[float, int]:
            index, node = item
            xs = [position[r] for r in neighbours[node.rule] if r in position]
            return (sum(xs) / len(xs) if xs else index, index)
        row[:] = [node for _, node in sorted(enumerate(row), key=centre)]

    for _ in range(sweeps):
        for layer in range(1, depth):  # upwards: exceptions over the rules they set aside
            position = {n.rule: i for i, n in enumerate(rows[layer - 1])}
            arrange(rows[layer], below, position)
        for layer in range(depth - 2, -1, -1):  # downwards: rules under their exceptions
            position = {n.rule: i for i, n in enumerate(rows[layer + 1])}
            arrange(rows[layer], above, position)
    return list(reversed(rows))


def _box_size(node: GraphNode) -> tuple[float, float, list[str]]:
    """Width, height and text lines (the rule's name wrapped, then service and line) of a node's box."""
    lines = textwrap.wrap(node.rule, _WRAP) or [node.rule]
    lines.append(node.service + (f" · ligne {node.line}" if node.line else ""))
    return max(len(t) for t in lines) * _CHAR + 2 * _PAD, len(lines) * _LINE + 2 * _PAD, lines


def _layout(rows: list[list[GraphNode]], legend: list[str]) -> tuple[float, float, dict]:
    """Image width and height, and each rule's box (x, y, width, height, lines, node), rows centred."""
    sized = [[(*_box_size(node), node) for node in row] for row in rows]
    widths = [sum(s[0] for s in row) + _GAP_X * max(len(row) - 1, 0) for row in sized]
    width = max(widths + [20 + len(t) * _CHAR for t in legend] + [200]) + 2 * _PAD
    y = _PAD + 20 * len(legend) + 12  # below the legend
    boxes = {}
    for row, row_width in zip(sized, widths):
        row_height = max((s[1] for s in row), default=0)
        x = (width - row_width) / 2
        for box_width, box_height, lines, node in row:
            boxes[node.rule] = (x, y + (row_height - box_height) / 2, box_width, box_height, lines, node)
            x += box_width + _GAP_X
        y += row_height + _GAP_Y
    height = y - _GAP_Y + _PAD if rows else y + _PAD
    return width, height, boxes


def _edge(edge: GraphEdge, boxes: dict) -> str:
    """A curve from the bottom of the exception's box to the top of the rule it sets aside."""
    sx, sy, sw, sh, _, _ = boxes[edge.source]
    tx, ty, tw, _, _, _ = boxes[edge.target]
    x1, y1, x2, y2 = sx + sw / 2, sy + sh, tx + tw / 2, ty
    middle = (y1 + y2) / 2
    return (f'<path class="repartition-exception" d="M {x1:.1f} {y1:.1f} C {x1:.1f} {middle:.1f}, '
            f'{x2:.1f} {middle:.1f}, {x2:.1f} {y2:.1f}" fill="none" stroke="#333" stroke-width="1.5" '
            f'marker-end="url(#repartition-fleche)"><title>{escape(edge.source)} s\'applique par exception '
            f'à {escape(edge.target)}</title></path>')


def _node(box: tuple, colour: str) -> list[str]:
    """A rule's box: its name in bold, then its service and line in small type."""
    x, y, box_width, box_height, lines, node = box
    out = [f'<g class="repartition-noeud" data-regle="{escape(node.rule)}">',
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_width:.1f}" height="{box_height:.1f}" rx="6" '
           f'fill="{colour}" stroke="#333"/>']
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if i < len(lines) - 1 else ' font-size="11" fill="#333"'
        out.append(f'<text x="{x + box_width / 2:.1f}" y="{y + _PAD + (i + 1) * _LINE - 4:.1f}" '
                   f'text-anchor="middle"{weight}>{escape(line)}</text>')
    out.append("</g>")
    return out


def svg(graph: ExceptionGraph, *, title: str = "Exceptions entre les règles") -> str:
    """A standalone SVG image of the graph; every text from the charter is escaped."""
    colours = {code: _PALETTE[i % len(_PALETTE)] for i, (code, _) in enumerate(graph.services)}
    legend = [f"{code} : {label}" for code, label in graph.services]
    width, height, boxes = _layout(_order(graph), legend)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="repartition-fleche" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
    ]
    for i, ((code, _), text) in enumerate(zip(graph.services, legend)):
        top = _PAD + 20 * i
        out.append(f'<rect x="{_PAD}" y="{top}" width="14" height="14" fill="{colours[code]}" stroke="#555"/>')
        out.append(f'<text x="{_PAD + 20}" y="{top + 12}">{escape(text)}</text>')
    out.extend(_edge(edge, boxes) for edge in graph.edges)
    for box in boxes.values():
        out.extend(_node(box, colours.get(box[5].service, "#fff")))
    out.append("</svg>")
    return "\n".join(out)
