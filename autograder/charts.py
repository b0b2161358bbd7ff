"""The class report's charts as inline SVG, written here: a histogram with marker lines, horizontal bars, vertical bars.

No matplotlib: importing it costs half a second, which a batch of a hundred submissions would pay as much as
grading five of them. Text is ASCII labels of the grader's own (function names, numbers), escaped; sizes are in
user units scaled by the page (``svg{max-width:100%}``).
"""

from __future__ import annotations

import html
import math

BLUE, RED, GREEN, GREY = "#4c72b0", "#c44e52", "#55a868", "#555"
FONT = 'font-family="sans-serif" font-size="12"'


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _nice_ticks(top: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = int(math.ceil(top / step - 1e-9))
    return [round(i * step, 10) for i in range(count + 1)]


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:.2g}"


class _Plot:
    """One axes: a plot area inside margins, data coordinates mapped to it, elements collected as SVG text."""

    def __init__(self, width: int, height: int, left: int = 60, right: int = 15, top: int = 15, bottom: int = 45):
        self.w, self.h = width, height
        self.x0, self.x1, self.y0, self.y1 = left, width - right, height - bottom, top  # y0: the bottom edge
        self.parts: list[str] = []

    def sx(self, x, lo, hi) -> float:
        return self.x0 + (self.x1 - self.x0) * ((x - lo) / (hi - lo) if hi > lo else 0.0)

    def sy(self, y, lo, hi) -> float:
        return self.y0 - (self.y0 - self.y1) * ((y - lo) / (hi - lo) if hi > lo else 0.0)

    def rect(self, x, y, w, h, color) -> None:
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
                          f'fill="{color}" stroke="white" stroke-width="0.5"/>')

    def line(self, x1, y1, x2, y2, color, dash="", width=1.5) -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                          f'stroke-width="{width}"{d}/>')

    def text(self, x, y, s, anchor="middle", extra="") -> None:
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT}{extra}>{_e(s)}</text>')

    def frame(self) -> None:
        self.parts.append(f'<rect x="{self.x0}" y="{self.y1}" width="{self.x1 - self.x0}" height="{self.y0 - self.y1}" '
                          f'fill="none" stroke="#333" stroke-width="0.8"/>')

    def x_ticks(self, ticks, lo, hi, label) -> None:
        for t in ticks:
            x = self.sx(t, lo, hi)
            self.line(x, self.y0, x, self.y0 + 4, "#333", width=0.8)
            self.text(x, self.y0 + 17, _num(t))
        self.text((self.x0 + self.x1) / 2, self.h - 8, label)

    def y_ticks(self, ticks, lo, hi, label) -> None:
        for t in ticks:
            y = self.sy(t, lo, hi)
            self.line(self.x0 - 4, y, self.x0, y, "#333", width=0.8)
            self.text(self.x0 - 7, y + 4, _num(t), anchor="end")
        cy = (self.y0 + self.y1) / 2
        self.text(14, cy, label, extra=f' transform="rotate(-90 14 {cy:.1f})"')

    def legend(self, items) -> None:
        """items: (label, color, dash); upper left, as the report's figures have it."""
        x, y = self.x0 + 10, self.y1 + 16
        for label, color, dash in items:
            self.line(x, y - 4, x + 24, y - 4, color, dash)
            self.text(x + 30, y, label, anchor="start")
            y += 17

    def svg(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" '
                f'viewBox="0 0 {self.w} {self.h}" role="img">' + "".join(self.parts) + "</svg>")


def histogram(values: list[float], top: float, markers=(), xlabel: str = "", ylabel: str = "", bins: int = 10) -> str:
    """A histogram of values on [0, top] in ``bins`` equal bins (the last one closed), with vertical marker lines
    (label, x, color, dash)."""
    top = top or 1
    counts = [0] * bins
    for v in values:
        k = min(bins - 1, max(0, int(v / top * bins))) if top > 0 else 0
        counts[k] += 1
    ymax = max(counts, default=0) or 1
    yt = _nice_ticks(ymax)
    p = _Plot(700, 320)
    for k, c in enumerate(counts):
        xa, xb = p.sx(k * top / bins, 0, top), p.sx((k + 1) * top / bins, 0, top)
        ya = p.sy(c, 0, yt[-1])
        p.rect(xa, ya, xb - xa, p.y0 - ya, BLUE)
    for label, x, color, dash in markers:
        xs = p.sx(min(max(x, 0), top), 0, top)
        p.line(xs, p.y0, xs, p.y1, color, dash, 2)
    p.frame()
    p.x_ticks([t for t in _nice_ticks(top) if t <= top * (1 + 1e-9)], 0, top, xlabel)
    p.y_ticks(yt, 0, yt[-1], ylabel)
    if markers:
        p.legend([(label, color, dash) for label, _, color, dash in markers])
    return p.svg()


def hbars(labels: list[str], values: list[float], xmax: float = 100, xlabel: str = "") -> str:
    """Horizontal bars, the first label on top, values on [0, xmax]."""
    longest = max((len(s) for s in labels), default=4)
    left = min(320, 12 + 7 * longest)
    p = _Plot(700, max(200, 28 * len(labels) + 70), left=left)
    n = max(len(labels), 1)
    band = (p.y0 - p.y1) / n
    for i, (label, v) in enumerate(zip(labels, values)):
        y = p.y1 + i * band
        p.rect(p.x0, y + band * 0.1, p.sx(min(max(v, 0), xmax), 0, xmax) - p.x0, band * 0.8, BLUE)
        p.text(p.x0 - 6, y + band / 2 + 4, label, anchor="end")
    p.frame()
    p.x_ticks(_nice_ticks(xmax), 0, xmax, xlabel)
    return p.svg()


def vbars(values: list[float], colors: list[str], lines=(), xlabel: str = "", ylabel: str = "") -> str:
    """Vertical bars in order, one color each, with horizontal lines (label, y, color, dash)."""
    top = max([*values, *(y for _, y, _, _ in lines)], default=0) or 1
    yt = _nice_ticks(top)
    p = _Plot(700, 260)
    n = max(len(values), 1)
    width = (p.x1 - p.x0) / n
    for i, (v, c) in enumerate(zip(values, colors)):
        ya = p.sy(v, 0, yt[-1])
        p.rect(p.x0 + i * width, ya, width, p.y0 - ya, c)
    for label, y, color, dash in lines:
        ys = p.sy(y, 0, yt[-1])
        p.line(p.x0, ys, p.x1, ys, color, dash)
    p.frame()
    p.text((p.x0 + p.x1) / 2, p.h - 8, xlabel)
    p.y_ticks(yt, 0, yt[-1], ylabel)
    if lines:
        p.legend([(label, color, dash) for label, _, color, dash in lines])
    return p.svg()
