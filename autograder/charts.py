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
    """One axes: a plot area inside margins, data coordinates mapped to it, its elements collected as primitives
    (rect, line, text, frame), drawn as SVG (svg) or on a Pillow image (draw)."""

    def __init__(self, width: int, height: int, left: int = 60, right: int = 15, top: int = 15, bottom: int = 45):
        self.w, self.h = width, height
        self.x0, self.x1, self.y0, self.y1 = left, width - right, height - bottom, top  # y0: the bottom edge
        self.ops: list[tuple] = []

    def sx(self, x, lo, hi) -> float:
        return self.x0 + (self.x1 - self.x0) * ((x - lo) / (hi - lo) if hi > lo else 0.0)

    def sy(self, y, lo, hi) -> float:
        return self.y0 - (self.y0 - self.y1) * ((y - lo) / (hi - lo) if hi > lo else 0.0)

    def rect(self, x, y, w, h, color) -> None:
        self.ops.append(("rect", x, y, max(w, 0), max(h, 0), color))

    def line(self, x1, y1, x2, y2, color, dash="", width=1.5) -> None:
        self.ops.append(("line", x1, y1, x2, y2, color, dash, width))

    def text(self, x, y, s, anchor="middle", vertical=False) -> None:
        self.ops.append(("text", x, y, str(s), anchor, vertical))

    def frame(self) -> None:
        self.ops.append(("frame",))

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
        self.text(14, (self.y0 + self.y1) / 2, label, vertical=True)

    def legend(self, items) -> None:
        """items: (label, color, dash); upper left, as the report's figures have it."""
        x, y = self.x0 + 10, self.y1 + 16
        for label, color, dash in items:
            self.line(x, y - 4, x + 24, y - 4, color, dash)
            self.text(x + 30, y, label, anchor="start")
            y += 17

    def svg(self) -> str:
        parts = []
        for op in self.ops:
            if op[0] == "rect":
                _, x, y, w, h, color = op
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}" '
                             f'stroke="white" stroke-width="0.5"/>')
            elif op[0] == "line":
                _, x1, y1, x2, y2, color, dash, width = op
                d = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                             f'stroke-width="{width}"{d}/>')
            elif op[0] == "text":
                _, x, y, s, anchor, vertical = op
                turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if vertical else ""
                parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT}{turn}>{_e(s)}</text>')
            else:
                parts.append(f'<rect x="{self.x0}" y="{self.y1}" width="{self.x1 - self.x0}" '
                             f'height="{self.y0 - self.y1}" fill="none" stroke="#333" stroke-width="0.8"/>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" '
                f'viewBox="0 0 {self.w} {self.h}" role="img">' + "".join(parts) + "</svg>")

    def draw(self, image, dx: int = 0, dy: int = 0) -> None:
        """Draw on a Pillow RGB image, the plot's origin at (dx, dy); text in Pillow's own font (no file read)."""
        from PIL import Image, ImageDraw

        d = ImageDraw.Draw(image)
        font = _font()
        for op in self.ops:
            if op[0] == "rect":
                _, x, y, w, h, color = op
                if w >= 0.5 and h >= 0.5:
                    d.rectangle([dx + x, dy + y, dx + x + w, dy + y + h], fill=color, outline="white")
            elif op[0] == "line":
                _, x1, y1, x2, y2, color, dash, width = op
                for a, b in _dashes((dx + x1, dy + y1), (dx + x2, dy + y2), dash):
                    d.line([a, b], fill=color, width=max(1, round(width)))
            elif op[0] == "text":
                _, x, y, s, anchor, vertical = op
                if not vertical:
                    d.text((dx + x, dy + y), s, fill="#222", font=font, anchor={"start": "ls", "end": "rs"}.get(anchor, "ms"))
                    continue
                box = d.textbbox((0, 0), s, font=font)
                label = Image.new("RGB", (box[2] - box[0] + 2, box[3] - box[1] + 4), "white")
                ImageDraw.Draw(label).text((1 - box[0], 2 - box[1]), s, fill="#222", font=font)
                label = label.rotate(90, expand=True)
                image.paste(label, (int(dx + x - label.width / 2), int(dy + y - label.height / 2)))
            else:
                d.rectangle([dx + self.x0, dy + self.y1, dx + self.x1, dy + self.y0], outline="#333")


def _font(size: int = 12):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _dashes(a, b, dash: str):
    """The segments of a line from a to b with an SVG dash pattern ("6 4"), or the whole line."""
    if not dash:
        return [(a, b)]
    pattern = [float(v) for v in dash.split()]
    length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
    if length == 0:
        return []
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    out, pos, k = [], 0.0, 0
    while pos < length:
        step = pattern[k % len(pattern)]
        if k % 2 == 0:
            end = min(length, pos + step)
            out.append(((a[0] + ux * pos, a[1] + uy * pos), (a[0] + ux * end, a[1] + uy * end)))
        pos += step
        k += 1
    return out


def png(plots: list, path, title: str = "") -> None:
    """Plots side by side in one PNG, with a title above them (Pillow only: no matplotlib)."""
    from PIL import Image, ImageDraw

    top = 34 if title else 0
    width = sum(p.w for p in plots)
    image = Image.new("RGB", (width, max(p.h for p in plots) + top), "white")
    if title:
        ImageDraw.Draw(image).text((width / 2, 22), title, fill="#222", font=_font(16), anchor="ms")
    x = 0
    for p in plots:
        p.draw(image, x, top)
        x += p.w
    image.save(path, format="PNG", compress_level=1)  # a few % larger, a quarter of the time


def histogram(values: list[float], top: float, markers=(), xlabel: str = "", ylabel: str = "", bins: int = 10) -> str:
    """A histogram of values on [0, top] in ``bins`` equal bins (the last one closed), with vertical marker lines
    (label, x, color, dash), as SVG."""
    return histogram_plot(values, top, markers, xlabel, ylabel, bins).svg()


def histogram_plot(values: list[float], top: float, markers=(), xlabel: str = "", ylabel: str = "",
                   bins: int = 10, title: str = "", height: int = 320) -> _Plot:
    """The histogram's plot (see histogram); ``title`` above the plot area, ``height`` its size."""
    top = top or 1
    counts = [0] * bins
    for v in values:
        k = min(bins - 1, max(0, int(v / top * bins))) if top > 0 else 0
        counts[k] += 1
    ymax = max(counts, default=0) or 1
    yt = _nice_ticks(ymax)
    p = _Plot(700, height, top=30 if title else 15)
    if title:
        p.text((p.x0 + p.x1) / 2, 20, title)
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
    return p


def hbars(labels: list[str], values: list[float], xmax: float = 100, xlabel: str = "") -> str:
    """Horizontal bars, the first label on top, values on [0, xmax], as SVG."""
    return hbars_plot(labels, values, xmax, xlabel).svg()


def hbars_plot(labels: list[str], values: list[float], xmax: float = 100, xlabel: str = "", height: int = 0) -> _Plot:
    """The horizontal bars' plot (see hbars); ``height``: at least this tall."""
    longest = max((len(s) for s in labels), default=4)
    left = min(320, 12 + 7 * longest)
    p = _Plot(700, max(200, 28 * len(labels) + 70, height), left=left)
    n = max(len(labels), 1)
    band = (p.y0 - p.y1) / n
    for i, (label, v) in enumerate(zip(labels, values)):
        y = p.y1 + i * band
        p.rect(p.x0, y + band * 0.1, p.sx(min(max(v, 0), xmax), 0, xmax) - p.x0, band * 0.8, BLUE)
        p.text(p.x0 - 6, y + band / 2 + 4, label, anchor="end")
    p.frame()
    p.x_ticks(_nice_ticks(xmax), 0, xmax, xlabel)
    return p


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
