#!/usr/bin/env python3
"""Draws grouped bars (one group per path, one bar per side) as SVG.

Usage: chart.py DATA.tsv OUT.svg TITLE, where each line of DATA is `group<TAB>side<TAB>value`.
"""
import sys
from collections import OrderedDict
from html import escape

COLOURS = ["#8c8c8c", "#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#b83280"]


def main(data_path, out_path, title):
    groups = OrderedDict()
    sides = []
    with open(data_path) as data:
        for line in data:
            group, side, value = line.rstrip("\n").split("\t")
            groups.setdefault(group, OrderedDict())[side] = float(value)
            if side not in sides:
                sides.append(side)
    top = max(v for bars in groups.values() for v in bars.values()) * 1.15
    bar, gap, left, height, base = 46, 40, 70, 300, 340
    width = left + len(groups) * (len(sides) * bar + gap) + 20
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 40 + 18 * len(sides)}" font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20" font-size="14">{escape(title)}</text>']
    for tick in range(0, 6):
        value = top * tick / 5
        y = base - height * tick / 5
        svg.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.0f}" y2="{y:.0f}" stroke="#e2e8f0"/>')
        svg.append(f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end">{value / 1000:.0f}k</text>')
    x = left + gap / 2
    for group, bars in groups.items():
        for index, side in enumerate(sides):
            value = bars.get(side, 0)
            h = height * value / top
            svg.append(f'<rect x="{x:.0f}" y="{base - h:.0f}" width="{bar - 6}" height="{h:.0f}" fill="{COLOURS[index % len(COLOURS)]}"/>')
            svg.append(f'<text x="{x + (bar - 6) / 2:.0f}" y="{base - h - 4:.0f}" text-anchor="middle" font-size="10">{value / 1000:.1f}k</text>')
            x += bar
        svg.append(f'<text x="{x - len(sides) * bar / 2 - 3:.0f}" y="{base + 16}" text-anchor="middle">{escape(group)}</text>')
        x += gap
    for index, side in enumerate(sides):
        y = base + 36 + 18 * index
        svg.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>')
        svg.append(f'<text x="{left + 18}" y="{y}">{escape(side)}</text>')
    svg.append("</svg>")
    with open(out_path, "w") as out:
        out.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
