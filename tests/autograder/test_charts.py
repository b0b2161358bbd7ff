"""The class report's hand-written SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from autograder import charts

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[dict]:
    """The data bars (filled rects, not the frame), as attribute dicts, in document order."""
    root = ET.fromstring(svg)
    return [r.attrib for r in root.iter(f"{SVG}rect") if r.attrib.get("fill") != "none"]


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


class TestHistogram:
    def test_bar_heights_follow_the_counts(self):
        """Ten bins over [0, top]: a score equal to top falls in the last bin, and the bars' heights are in the
        ratio of the counts."""
        svg = charts.histogram([0, 0, 0.5, 7.4, 15, 15, 15], 15)
        heights = [float(b["height"]) for b in bars(svg)]
        assert len(heights) == 10
        assert heights[0] == pytest.approx(heights[9]) and heights[0] > 0
        assert heights[4] == pytest.approx(heights[0] / 3, abs=0.1) and heights[1:4] == [0.0, 0.0, 0.0]

    def test_markers_are_lines_with_a_legend(self):
        """Each marker is a vertical line of its colour, named in the legend."""
        svg = charts.histogram([1, 2, 3], 4, [("mean 2.00", 2, charts.RED, "6 4")], xlabel="score")
        lines = [ln.attrib for ln in ET.fromstring(svg).iter(f"{SVG}line") if ln.attrib["stroke"] == charts.RED]
        assert any(ln["x1"] == ln["x2"] for ln in lines)
        assert "mean 2.00" in texts(svg) and "score" in texts(svg)

    def test_empty_class(self):
        """No score at all still gives a well-formed chart with empty bars."""
        assert all(float(b["height"]) == 0 for b in bars(charts.histogram([], 0)))


class TestBars:
    def test_labels_are_escaped(self):
        """A label is text, never markup: <, & and quotes are escaped and the SVG parses."""
        svg = charts.hbars(['<script>alert("x")</script>', "a&b"], [50, 100])
        assert "<script>" not in svg and '<script>alert("x")</script>' in texts(svg) and "a&b" in texts(svg)

    def test_widths_follow_the_values(self):
        """Horizontal bars on [0, 100]: 50 % is half as wide as 100 %, the first label on top."""
        b = bars(charts.hbars(["first", "second"], [50, 100]))
        assert float(b[0]["width"]) == pytest.approx(float(b[1]["width"]) / 2, abs=0.1)
        assert float(b[0]["y"]) < float(b[1]["y"])

    def test_vertical_bars_keep_their_colours_and_order(self):
        """Vertical bars in the given order and colours, with a horizontal line per marker."""
        svg = charts.vbars([1.0, 2.0, 4.0], [charts.BLUE, charts.BLUE, charts.RED], [("median 2.00 s", 2.0, charts.GREEN, "2 3")])
        b = bars(svg)
        assert [x["fill"] for x in b] == [charts.BLUE, charts.BLUE, charts.RED]
        assert float(b[2]["height"]) == pytest.approx(2 * float(b[1]["height"]), abs=0.1)
        assert "median 2.00 s" in texts(svg)


class TestTicks:
    @pytest.mark.parametrize("top", [1, 3, 7, 15, 16, 99, 0.37, 2000])
    def test_ticks_are_round_and_cover_the_top(self, top):
        """Ticks start at 0, are 1, 2 or 5 times a power of ten apart, and the last one reaches top."""
        ticks = charts._nice_ticks(top)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= top * (1 - 1e-9)
        assert re.fullmatch(r"[125]", f"{step:.0e}"[0])


class TestPng:
    def test_png_draws_the_plots_side_by_side(self, tmp_path):
        """charts.png rasterizes plots with Pillow: a real PNG as wide as the plots together, a bar drawn in its
        colour where the SVG puts it, white elsewhere."""
        from PIL import Image

        hist = charts.histogram_plot([15.0] * 4, 15, xlabel="score", ylabel="submissions", title="4 submissions")
        bars = charts.hbars_plot(["forward", "loss"], [100.0, 50.0], 100, height=hist.h)
        path = tmp_path / "s.png"
        charts.png([hist, bars], path, title="rnn_bptt")
        img = Image.open(path).convert("RGB")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and img.width == hist.w + bars.w
        blue = tuple(int(charts.BLUE[i:i + 2], 16) for i in (1, 3, 5))
        x, y, w, h = next(op[1:5] for op in bars.ops if op[0] == "rect")  # forward's bar, 100 %
        assert img.getpixel((int(hist.w + x + w / 2), int(34 + y + h / 2))) == blue
        assert img.getpixel((int(hist.w + bars.x1 - 3), int(34 + bars.y0 - 3))) == (255, 255, 255)
