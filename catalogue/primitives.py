"""What the editing primitives promise whatever provider served them, made true in one place.

The pipeline calls :func:`enforce` on every image stage-2 answer of an ``inpaint``,
``expand`` or ``upscale`` task:

* ``inpaint``: the answer, resized to the photo's size, is kept only inside the mask; every
  pixel outside it is the photo's own.
* ``expand``: the answer is fitted to the expanded size (the photo plus ``padding``) and the
  photo is put back in place, so its pixels are unchanged and the new area is the model's.
* ``upscale``: the answer is exactly ``scale`` times the photo's size.

Providers build their requests with :func:`padded_canvas` (the photo on the expanded canvas
and the mask of the new area) and :func:`marked_photo` (the area to change shown in colour,
for models without a mask input). Results are PNG, so the kept pixels stay exact.
"""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from .imaging import decode_image, encode_image
from .imaging.colour import band_extrema
from .imaging.resizing import fit
from .providers.base import GeneratedImage, ImageRequest, ImageResult, InputImage, TaskType
from .task_types import UPSCALE_MAX_RESULT_SIDE

# An answer may be as large as the largest upscale (beyond the upload pixel limit).
RESULT_MAX_PIXELS = UPSCALE_MAX_RESULT_SIDE * UPSCALE_MAX_RESULT_SIDE
PRIMITIVES = (TaskType.INPAINT, TaskType.EXPAND, TaskType.UPSCALE)
MARK_COLOUR = (255, 0, 255)


def _open(data: bytes) -> Image.Image:
    return decode_image(data, max_pixels=RESULT_MAX_PIXELS)


def _png(picture: Image.Image) -> GeneratedImage:
    return GeneratedImage(encode_image(picture, format="PNG"), "image/png")


def _input(picture: Image.Image) -> InputImage:
    return InputImage(
        encode_image(picture, format="PNG"), "image/png", picture.width, picture.height
    )


def change_mask(mask: InputImage, size: tuple[int, int]) -> Image.Image:
    """The mask as a two-level "L" image of ``size``: 255 where the photo may change.

    White marks the area; so does opaque on a transparent mask painted in one colour."""
    picture = decode_image(mask.data).convert("RGBA")
    alpha = picture.getchannel("A")
    grey = picture.convert("L")
    low, high = band_extrema(alpha)
    grey_low, grey_high = band_extrema(grey)
    if low < high and grey_low == grey_high:
        plane = alpha  # one colour on transparency: opaque = change
    else:
        plane = Image.composite(grey, Image.new("L", picture.size, 0), alpha)
    if plane.size != size:
        plane = plane.resize(size, Image.Resampling.NEAREST)
    return plane.point(lambda v: 255 if v >= 128 else 0)


def mask_from_transparency(mask: InputImage) -> InputImage:
    """A mask in OpenAI's convention (transparent where the photo may change) as ours (white
    there); a mask without transparency is taken as ours already."""
    picture = decode_image(mask.data)
    if picture.mode != "RGBA" or picture.getchannel("A").getextrema()[0] == 255:
        return mask
    area = picture.getchannel("A").point(lambda v: 255 if v < 128 else 0)
    return _input(area)


def expanded_size(image: InputImage, padding: tuple[int, int, int, int]) -> tuple[int, int]:
    left, top, right, bottom = padding
    return image.width + left + right, image.height + top + bottom


def padded_canvas(
    image: InputImage,
    padding: tuple[int, int, int, int],
    *,
    fill: tuple[int, ...] = (128, 128, 128),
) -> tuple[InputImage, InputImage]:
    """(the photo on the expanded canvas, the mask of the new area: white there).

    ``fill`` colours the new area; a 4-value fill (alpha 0: transparent) gives an RGBA
    canvas, as OpenAI's edits read transparency as the area to paint."""
    photo = decode_image(image.data)
    mode = "RGBA" if len(fill) == 4 else "RGB"
    canvas = Image.new(mode, expanded_size(image, padding), fill)
    canvas.paste(photo.convert(mode), (padding[0], padding[1]))
    mask = Image.new("L", canvas.size, 255)
    mask.paste(0, (padding[0], padding[1], padding[0] + image.width, padding[1] + image.height))
    return _input(canvas), _input(mask)


def marked_photo(image: InputImage, mask: InputImage) -> InputImage:
    """The photo with the area to change tinted in :data:`MARK_COLOUR` (for models that
    take no mask: they are shown it and told to change only there)."""
    photo = decode_image(image.data).convert("RGB")
    area = change_mask(mask, photo.size)
    tint = Image.blend(photo, Image.new("RGB", photo.size, MARK_COLOUR), 0.6)
    return _input(Image.composite(tint, photo, area))


def _fit(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    return picture if picture.size == size else fit(picture, size)


def enforce(request: ImageRequest, result: ImageResult) -> ImageResult:
    """``result`` made to keep the primitive's promise (see the module); other task types
    pass through unchanged."""
    if request.task_type not in PRIMITIVES or not request.images:
        return result
    main = request.images[0]
    photo = decode_image(main.data)
    if request.task_type == TaskType.INPAINT and request.mask is not None:
        area = change_mask(request.mask, photo.size)
        images = [_inpainted(photo, area, image) for image in result.images]
    elif request.task_type == TaskType.EXPAND and request.padding:
        size = expanded_size(main, request.padding)
        images = [_expanded(photo, request.padding, size, image) for image in result.images]
    elif request.task_type == TaskType.UPSCALE:
        scale = request.scale or 2
        size = (main.width * scale, main.height * scale)
        images = [_upscaled(size, image) for image in result.images]
    else:
        return result
    return replace(result, images=tuple(images))  # the rest of what the provider said stays


def _inpainted(photo: Image.Image, area: Image.Image, image: GeneratedImage) -> GeneratedImage:
    answer = _fit(_open(image.data).convert(photo.mode), photo.size)
    return _png(Image.composite(answer, photo, area))


def _expanded(photo, padding, size, image: GeneratedImage) -> GeneratedImage:
    answer = _fit(_open(image.data), size)
    mode = "RGBA" if "A" in (answer.mode + photo.mode) else "RGB"
    answer = answer.convert(mode)
    answer.paste(photo.convert(mode), (padding[0], padding[1]))
    return _png(answer)


def _upscaled(size: tuple[int, int], image: GeneratedImage) -> GeneratedImage:
    with Image.open(io.BytesIO(image.data)) as header:
        if header.size == size:
            return image
    return _png(_fit(_open(image.data), size))


def for_masked_model(request: ImageRequest) -> ImageRequest:
    """An ``expand`` request as a model with a mask input takes it: the photo on the
    expanded canvas (transparent around it) and the mask of the new area. Others as given."""
    if request.task_type != TaskType.EXPAND or not request.padding or not request.images:
        return request
    canvas, mask = padded_canvas(request.images[0], request.padding, fill=(0, 0, 0, 0))
    return replace(request, images=(canvas, *request.images[1:]), mask=mask)


INPAINT_WORDS = (
    "The first image is the photo; the second is the same photo with the area to change "
    "tinted magenta. Change only that area, as follows, and leave everything else exactly "
    "as it is; answer with the whole photo without any magenta tint: "
)
EXPAND_WORDS = (
    "This photo sits on a larger canvas whose flat grey border is empty. Fill the grey border "
    "so the scene continues naturally beyond the original edges (same light, perspective and "
    "style) and keep the photo itself unchanged; answer with the whole canvas. "
)


def for_unmasked_model(request: ImageRequest) -> ImageRequest:
    """An ``inpaint`` or ``expand`` request as a model without a mask input takes it:
    inpainting shows the area tinted on a second copy of the photo, expanding sends the
    photo on a grey canvas; the prompt says what each is."""
    if not request.images:
        return request
    if request.task_type == TaskType.INPAINT and request.mask is not None:
        marked = marked_photo(request.images[0], request.mask)
        return replace(
            request,
            images=(request.images[0], marked),
            mask=None,
            prompt=INPAINT_WORDS + request.prompt,
        )
    if request.task_type == TaskType.EXPAND and request.padding:
        canvas, _ = padded_canvas(request.images[0], request.padding)
        return replace(request, images=(canvas,), mask=None, prompt=EXPAND_WORDS + request.prompt)
    return request
