"""Images (.png, .jpg, .tiff) -> Blocks, read by OCR (rag.reading.ocr); a TIFF's frames are
its pages. Without Tesseract the image is left out, and the file's report says why."""

from __future__ import annotations

from pathlib import Path

from rag.errors import UnreadableDocumentError
from rag.reading import ocr
from rag.reading.blocks import Block
from rag.reading.options import Reading

MAX_FRAMES = 500  # pages of one multi-page TIFF


def read_image(path: Path, source: str, reading: Reading) -> list[Block]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > ocr.MAX_PIXELS:
                reading.notes.skip(
                    f"not read: {width}×{height} pixels is more than OCR reads "
                    f"({ocr.MAX_PIXELS // 1_000_000} megapixels)"
                )
                return []
            frames = []
            for number in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
                image.seek(number)
                frames.append(ImageOps.exif_transpose(image.convert("RGB")))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableDocumentError(
            f"cannot read {source}: not a readable image ({error})"
        ) from None
    try:
        found = ocr.recognise(frames, reading.options)
    except ocr.OcrUnavailable as error:
        reading.notes.skip(f"not read: {error}", retry=True)
        return []
    pages = len(frames) > 1
    blocks: list[Block] = []
    for number, paragraphs in enumerate(found, start=1):
        blocks += ocr.ocr_blocks(paragraphs, number if pages else None)
        reading.notes.ocr_pages.append(number)
    return blocks
