"""Which characters of a PDF page a viewer shows: PDFium extracts every character a page
draws, including text no one can see, which is where an attacker hides what a reader of the
page must not be told.

A character is not shown when it is
- drawn in an invisible render mode (3, or 7: clipping only), unless it lies over an image:
  that is the text layer of a scanned page, which a viewer draws the scan under;
- filled in (almost) the colour of what lies under it: the page's white, or the filled shape
  drawn before it (yellow text on a yellow box); text filled fully transparent is invisible too;
- too small to read (under ``MIN_READABLE_PT`` points tall);
- wholly outside the page's crop box, the part of the page a viewer shows.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

INVISIBLE_MODES = {3, 7}  # FPDF_TEXTRENDERMODE_INVISIBLE, _CLIP
STROKE_ONLY_MODES = {1, 5}  # drawn by their outline colour, not their fill
MIN_READABLE_PT = 1.0
COLOUR_MATCH = 24  # largest difference, per 0–255 channel, of a colour that "matches"
WHITE = (255, 255, 255)
TEXT, PATH, IMAGE = 1, 2, 3  # FPDF_PAGEOBJ_*
RULE_MAX_WIDTH = 2.5  # a path thinner than this (points) is a rule: a table's border, a line


@dataclass(frozen=True)
class _Shape:
    """A page object that can lie under text: an image, or a filled path with its colour."""

    order: int  # drawing order on the page (later objects are drawn on top)
    bounds: tuple[float, float, float, float]  # left, bottom, right, top
    colour: tuple[int, int, int] | None  # None: an image

    def covers(self, x: float, y: float) -> bool:
        left, bottom, right, top = self.bounds
        return left <= x <= right and bottom <= y <= top


class PageVisibility:
    """Answers, for each character index of one page's text page, whether a viewer shows it."""

    def __init__(self, page, text_page) -> None:
        self._text_page = text_page
        self._crop = page.get_cropbox()
        self._order: dict[int, int] = {}  # text object address -> drawing order
        self._shapes: list[_Shape] = []
        self._colour_on_page: dict[tuple[int, int, int], bool] = {}  # fill -> a shape has it
        self.rules = 0  # thin lines drawn (a ruled table draws many)
        for order, item in enumerate(page.get_objects(max_depth=2)):
            if item.type == TEXT:
                self._order[_address(item.raw)] = order
            elif item.type in (PATH, IMAGE):
                if item.type == PATH:
                    left, bottom, right, top = item.get_bounds()
                    self.rules += min(right - left, top - bottom) < RULE_MAX_WIDTH
                shape = _shape(item, order)
                if shape is not None:
                    self._shapes.append(shape)
        self._images = [shape for shape in self._shapes if shape.colour is None]

    @property
    def has_image(self) -> bool:
        """Whether the page draws an image (a page with an image and no text is a scan)."""
        return bool(self._images)

    def shown(self, index: int, box: tuple[float, float, float, float]) -> bool:
        """Whether the character at ``index``, whose loose box is ``box``, can be seen."""
        import pypdfium2.raw as pdfium_c

        left, bottom, right, top = box
        x, y = (left + right) / 2, (bottom + top) / 2
        crop_left, crop_bottom, crop_right, crop_top = self._crop
        if right < crop_left or left > crop_right or top < crop_bottom or bottom > crop_top:
            return False  # wholly outside (a character the edge cuts through is still seen)
        if top - bottom < MIN_READABLE_PT:
            return False
        text_object = pdfium_c.FPDFText_GetTextObject(self._text_page.raw, index)
        if not text_object:
            return True  # a space or line break PDFium generated
        mode = pdfium_c.FPDFTextObj_GetTextRenderMode(text_object)
        if mode in INVISIBLE_MODES:
            return any(image.covers(x, y) for image in self._images)
        if mode in STROKE_ONLY_MODES:
            return True
        fill = _fill(self._text_page, index)
        if fill is None:
            return True
        rgb, alpha = fill
        if alpha == 0:
            return False
        if not self._could_hide(rgb):
            return True  # nothing on the page has its colour: the common case, decided fast
        order = self._order.get(_address(text_object), len(self._order) + len(self._shapes))
        under = self._shape_under(x, y, order)
        if under is not None and under.colour is None:
            return True  # over a picture: its colours are unknown here
        return not _matches(rgb, under.colour if under is not None else WHITE)

    def _could_hide(self, rgb: tuple[int, int, int]) -> bool:
        """Whether text of this colour could vanish on this page: it is white, or some filled
        shape has its colour."""
        if rgb not in self._colour_on_page:
            self._colour_on_page[rgb] = _matches(rgb, WHITE) or any(
                s.colour is not None and _matches(rgb, s.colour) for s in self._shapes
            )
        return self._colour_on_page[rgb]

    def _shape_under(self, x: float, y: float, order: int) -> _Shape | None:
        """The topmost shape drawn before the text and under the point."""
        below = [s for s in self._shapes if s.order < order and s.covers(x, y)]
        return max(below, key=lambda s: s.order) if below else None


def _matches(colour: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    return max(abs(a - b) for a, b in zip(colour, other, strict=True)) <= COLOUR_MATCH


def _address(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


def _shape(item, order: int) -> _Shape | None:
    import pypdfium2.raw as pdfium_c

    bounds = tuple(item.get_bounds())
    if item.type == IMAGE:
        return _Shape(order, bounds, None)
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(item.raw, fill_mode, stroke) or fill_mode.value == 0:
        return None  # an outline, not a filled shape
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(item.raw, r, g, b, a) or a.value == 0:
        return None
    return _Shape(order, bounds, (r.value, g.value, b.value))


def _fill(text_page, index: int) -> tuple[tuple[int, int, int], int] | None:
    import pypdfium2.raw as pdfium_c

    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFText_GetFillColor(text_page.raw, index, r, g, b, a):
        return None
    return (r.value, g.value, b.value), a.value
