"""Photos made in code for the offline editor's tests, and request helpers.

``portrait`` is realistic enough for U-2-Net-p: a textured, graded background with a head,
hair, neck and a red shirt in the middle. It is 512x512; the subject's torso is at the
bottom centre and its face around (256, 190).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from catalogue.providers.base import ImageRequest, InputImage


def portrait_image(size: int = 512, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, size)[:, None]
    x = np.linspace(0, 1, size)[None, :]
    bg = np.stack(
        np.broadcast_arrays(90 + 60 * x + 40 * y, 140 + 50 * y - 20 * x, 110 + 30 * x + 0 * y),
        axis=-1,
    )
    blobs = rng.normal(0, 1, (size // 16 + 1, size // 16 + 1))
    blobs = (blobs - blobs.min()) / np.ptp(blobs) * 255
    blobs = np.asarray(Image.fromarray(blobs.astype(np.uint8)).resize((size, size), Image.BICUBIC))
    bg = bg + (blobs[..., None] / 255.0 - 0.5) * 50
    image = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(image)
    c, s = size // 2, size
    d.ellipse(
        [c - int(s * 0.30), int(s * 0.62), c + int(s * 0.30), int(s * 1.25)], fill=(200, 40, 50)
    )
    d.rectangle(
        [c - int(s * 0.05), int(s * 0.45), c + int(s * 0.05), int(s * 0.66)], fill=(225, 180, 150)
    )
    d.ellipse(
        [c - int(s * 0.13), int(s * 0.20), c + int(s * 0.13), int(s * 0.55)], fill=(230, 185, 155)
    )
    d.chord(
        [c - int(s * 0.14), int(s * 0.17), c + int(s * 0.14), int(s * 0.42)],
        180,
        360,
        fill=(50, 35, 25),
    )
    for side in (-1, 1):
        ex = c + side * int(s * 0.05)
        d.ellipse([ex - 6, int(s * 0.36) - 4, ex + 6, int(s * 0.36) + 4], fill=(40, 30, 30))
    d.arc(
        [c - int(s * 0.05), int(s * 0.42), c + int(s * 0.05), int(s * 0.48)],
        20,
        160,
        fill=(150, 60, 60),
        width=3,
    )
    noisy = np.asarray(image).astype(np.float32) + rng.normal(0, 4, (size, size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.8)
    )


def landscape_image(width: int = 384, height: int = 288) -> Image.Image:
    """A sky, grass, a house, a tree and a sun: colourful, with edges, no main subject."""
    y = np.linspace(0, 1, height)[:, None]
    sky = np.stack(np.broadcast_arrays(120 + 80 * y, 170 + 60 * y, 235 - 20 * y), axis=-1)
    sky = np.broadcast_to(sky, (height, width, 3))
    image = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(image)
    w, h = width, height
    d.rectangle([0, int(h * 0.65), w, h], fill=(70, 140, 60))
    d.ellipse([int(w * 0.75), int(h * 0.08), int(w * 0.88), int(h * 0.25)], fill=(250, 220, 90))
    d.rectangle([int(w * 0.15), int(h * 0.4), int(w * 0.4), int(h * 0.72)], fill=(190, 80, 60))
    d.polygon(
        [
            (int(w * 0.12), int(h * 0.4)),
            (int(w * 0.275), int(h * 0.22)),
            (int(w * 0.43), int(h * 0.4)),
        ],
        fill=(100, 60, 50),
    )
    d.ellipse([int(w * 0.52), int(h * 0.25), int(w * 0.72), int(h * 0.5)], fill=(40, 120, 40))
    return image


def as_input(image: Image.Image, fmt: str = "PNG") -> InputImage:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return InputImage(buffer.getvalue(), f"image/{fmt.lower()}", image.width, image.height)


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def request(instruction: str, *images: Image.Image, **extra) -> ImageRequest:
    return ImageRequest(
        prompt=extra.pop("prompt", ""),
        instruction=instruction,
        images=tuple(as_input(i) for i in images),
        **extra,
    )
