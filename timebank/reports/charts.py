"""Geometry of the report's charts, drawn as SVG by templates/reports/_charts.html.

Everything is laid out in a viewBox 320 units wide, the width of the page's
column on a cheap 360-pixel phone, so that at 100 % width one unit is about
one CSS pixel there and the text keeps its size; larger screens cap the
width in the stylesheet.

Right-to-left pages get the mirror image: every x is mirrored and the SVG is
given ``direction="rtl"``, which also mirrors what ``text-anchor`` start and
end mean, so the templates need not know the direction.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 320
PAD = 8  # kept free inside the frame
CHAR = 6.3  # average width of a character of axis and value text (font size 11), in viewBox units


@dataclass(frozen=True)
class Point:
    """One value to draw. ``hidden``: a count of people too small to show, drawn as a band up to ``value``."""

    label: str  # on the axis ("Mar")
    value: float  # in the chart's unit (hours, people)
    text: str  # the value as read ("12", "< 5")
    title: str  # a whole sentence, for the tooltip ("March 2026: 12 h")
    hidden: bool = False


@dataclass(frozen=True)
class Tick:
    y: float
    x: float  # where its text is anchored (at its end)
    x1: float  # the grid line
    x2: float
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Mark:
    """A bar (or the band of a hidden value), its value's text, and its tooltip."""

    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    text: str
    title: str
    hidden: bool
    cx: float = 0  # centre of a line chart's dot
    cy: float = 0


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    rtl: bool
    marks: list[Mark]
    ticks: list[Tick]
    labels: list[Label]  # axis labels (months) or row labels (categories)
    baseline: tuple[float, float, float, float]  # x1, y1, x2, y2
    show_values: bool
    lines: list[str]  # line charts: the "x,y x,y" of each run of visible points


def scale(top: float, *, whole: bool = False, steps: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2, 2.5 or 5 times a power of ten apart)."""
    top = max(top, 1.0)
    raw = top / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 6) for i in range(count + 1)]


class _Mirror:
    def __init__(self, rtl: bool, width: float = WIDTH):
        self.rtl, self.width = rtl, width

    def x(self, x: float, width: float = 0) -> float:
        """The left edge of something ``width`` wide whose left edge is ``x`` in a left-to-right chart."""
        return round(self.width - x - width, 2) if self.rtl else round(x, 2)


# Columns and lines over months --------------------------------------------------------------

LEFT, RIGHT, TOP, PLOT_HEIGHT, LABEL_ROW = 40, 10, 22, 150, 14


def _axis(points: Sequence[Point], *, whole: bool, fmt: Callable[[float], str], mirror: _Mirror):
    values = scale(max((p.value for p in points), default=0), whole=whole)
    bottom = TOP + PLOT_HEIGHT
    ticks = [Tick(y=round(bottom - v / values[-1] * PLOT_HEIGHT, 2), x=mirror.x(LEFT - 6), x1=mirror.x(LEFT),
                  x2=mirror.x(WIDTH - RIGHT), text=fmt(v)) for v in values]
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    # Month names side by side when they fit, on two staggered rows when they do not, and beyond that one
    # month in 2, 3, 4, 6 or 12 (so that the names shown fall on the same months every year).
    room = max((len(p.label) for p in points), default=1) * CHAR + 6
    rows = 1 if slot >= room else 2
    every = next(n for n in (1, 2, 3, 4, 6, 12, 24, 60) if n * slot * rows >= room or n == 60)
    labels = [Label(x=mirror.x(LEFT + (i + 0.5) * slot), y=bottom + 16 + ((i // every) % rows) * LABEL_ROW,
                    text=p.label) for i, p in enumerate(points) if i % every == 0]
    height = bottom + 12 + rows * LABEL_ROW
    return values[-1], slot, ticks, labels, height


def columns(points: Sequence[Point], *, rtl: bool, fmt: Callable[[float], str], whole: bool = False) -> Chart:
    """A column per point (hours per month), with a value axis."""
    mirror = _Mirror(rtl)
    top_value, slot, ticks, labels, height = _axis(points, whole=whole, fmt=fmt, mirror=mirror)
    bottom = TOP + PLOT_HEIGHT
    width = min(slot * 0.7, 36)
    marks = []
    for i, p in enumerate(points):
        h = p.value / top_value * PLOT_HEIGHT
        x = LEFT + i * slot + (slot - width) / 2
        marks.append(Mark(x=mirror.x(x, width), y=round(bottom - h, 2), width=round(width, 2), height=round(h, 2),
                          text_x=mirror.x(x + width / 2), text_y=round(bottom - h - 4, 2), text=p.text,
                          title=p.title, hidden=p.hidden))
    return Chart(WIDTH, height, rtl, marks, ticks, labels, (mirror.x(LEFT), bottom, mirror.x(WIDTH - RIGHT), bottom),
                 show_values=slot >= max(len(p.text) for p in points) * CHAR + 4 if points else False, lines=[])


def line(points: Sequence[Point], *, rtl: bool, fmt: Callable[[float], str]) -> Chart:
    """A line through the points (members per month); a hidden value breaks the line and shows as a band."""
    mirror = _Mirror(rtl)
    top_value, slot, ticks, labels, height = _axis(points, whole=True, fmt=fmt, mirror=mirror)
    bottom = TOP + PLOT_HEIGHT
    marks, lines, run = [], [], []
    for i, p in enumerate(points):
        centre = LEFT + (i + 0.5) * slot
        h = p.value / top_value * PLOT_HEIGHT
        y = round(bottom - h, 2)
        band = min(slot * 0.5, 10)
        marks.append(Mark(x=mirror.x(centre - band / 2, band), y=y, width=round(band, 2), height=round(h, 2),
                          text_x=mirror.x(centre), text_y=round(y - 6, 2), text=p.text, title=p.title,
                          hidden=p.hidden, cx=mirror.x(centre), cy=y))
        if p.hidden:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        else:
            run.append(f"{mirror.x(centre)},{y}")
    if len(run) > 1:
        lines.append(" ".join(run))
    return Chart(WIDTH, height, rtl, marks, ticks, labels, (mirror.x(LEFT), bottom, mirror.x(WIDTH - RIGHT), bottom),
                 show_values=slot >= max(len(p.text) for p in points) * CHAR + 4 if points else False, lines=lines)


# Horizontal bars, one row each -------------------------------------------------------------

ROW, BAR = 42, 14
NAME_MAX = 44  # characters of a name (font size 12) that fit on the width


def bars(points: Sequence[Point], *, rtl: bool) -> Chart:
    """A horizontal bar per point (hours by category), its name above it, its value after it."""
    mirror = _Mirror(rtl)
    top_value = max((p.value for p in points), default=0) or 1
    longest = WIDTH - 2 * PAD - max((len(p.text) for p in points), default=1) * CHAR - 8
    marks, labels = [], []
    for i, p in enumerate(points):
        top = i * ROW + 6
        w = max(p.value / top_value * longest, 1.5 if p.value else 0)
        name = p.label if len(p.label) <= NAME_MAX else p.label[:NAME_MAX - 1].rstrip() + "…"
        labels.append(Label(x=mirror.x(PAD + 3), y=top + 12, text=name))
        marks.append(Mark(x=mirror.x(PAD, w), y=top + 18, width=round(w, 2), height=BAR,
                          text_x=mirror.x(PAD + w + 5), text_y=top + 29.5, text=p.text, title=p.title,
                          hidden=p.hidden))
    height = max(len(points), 1) * ROW + 8
    return Chart(WIDTH, height, rtl, marks, [], labels, (mirror.x(PAD), 6, mirror.x(PAD), height - 6),
                 show_values=True, lines=[])
