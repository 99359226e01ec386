"""Where word labels go on a 2-D map so that they do not collide (the explorer, its export, the course's plot).

The most important words first: each label takes the first of eight spots around its point
whose text box overlaps no label placed before and no other point's marker; a word with no free
spot stays unlabelled (the explorer shows it on hover, the static plot lists it).
"""
from __future__ import annotations

import numpy as np

PAD = 2.0  # px kept free around each label
FONT_PX = (7.5, 15.0)  # a generous width of a character and height of a line at 12 px
# textposition → (dx, dy) of the box's centre from the point, in characters and lines (y up)
SPOTS = {"top center": (0.0, 0.75), "bottom center": (0.0, -0.75), "middle right": (None, 0.0),
         "middle left": (None, 0.0), "top right": (None, 0.75), "top left": (None, 0.75),
         "bottom right": (None, -0.75), "bottom left": (None, -0.75)}


def place_labels(xy_px, texts, limit: int, marker_px: float = 6.0):
    """Choose which of the points (in order of importance) get a label, and where.

    Args:
        xy_px: (n, 2) point positions in screen pixels (y up).
        texts: the n labels.
        limit: at most this many labels.
    Returns (kept positions into the n points, their plotly textpositions).
    """
    xy_px = np.asarray(xy_px, dtype=float).reshape(-1, 2)  # (n, 2)
    char_w, line_h = FONT_PX
    boxes, kept, spots = [], [], []
    markers = [(x - marker_px, y - marker_px, x + marker_px, y + marker_px) for x, y in xy_px]
    for j, ((x, y), text) in enumerate(zip(xy_px, texts)):
        if len(kept) >= limit:
            break
        w, h = char_w * max(len(text), 1), line_h
        for spot, (dx, dy) in SPOTS.items():
            if dx is None:  # beside the point: the box starts one marker away
                cx = x + (1 if spot.endswith("right") else -1) * (marker_px + w / 2)
            else:
                cx = x
            cy = y + dy * line_h + (np.sign(dy) * marker_px if dy else 0.0)
            box = (cx - w / 2 - PAD, cy - h / 2 - PAD, cx + w / 2 + PAD, cy + h / 2 + PAD)
            others = boxes + [m for i, m in enumerate(markers) if i != j]
            if j == 0 or not any(_overlap(box, b) for b in others):  # the question's own word always
                boxes.append(box)
                kept.append(j)
                spots.append(spot)
                break
    return np.array(kept, dtype=np.int64), spots


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
