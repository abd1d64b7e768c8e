"""What the local provider does with a loaded model, one function per primitive.

* ``draw``: text to image (the family's text-to-image class over the same weights);
* ``edit``: instruction edit or img2img; with a mask (an ``inpaint`` task, a masked edit, a
  hotspot) the inpainting pipeline where the family has one, and in every case the pixels
  outside the mask are put back afterwards;
* ``expand``: outpainting: the photo on a canvas larger by ``request.padding``, the new area
  filled with the photo's reflection and masked, through an inpainting pipeline; the photo's
  own pixels are pasted back unchanged, in place;
* ``upscale``: a diffusion upscaler (``StableDiffusionUpscalePipeline``, SD x4); any other
  model refuses.

Each takes the provider (its settings and helpers) and returns an ``ImageResult``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image

from ..base import ImageRequest, ImageResult, ProviderError, TaskType
from . import images as im
from . import runtime
from .families import Mode
from .loading import LoadedModel, derived_pipeline

if TYPE_CHECKING:
    from .provider import DiffusersImageProvider

PROVIDER = runtime.PROVIDER
EXPAND_SEAM = 8  # pixels of the photo (at the model's size) the model may repaint at the seam
UPSCALE_INPUT_SIDE = 512  # default cap on an upscaler's input (its output is 4x that)


def unsupported(message: str) -> ProviderError:
    return ProviderError(message, permanent=True, code="unsupported_task", provider=PROVIDER)


def draw(p: DiffusersImageProvider, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
    family = loaded.family
    if family.text_to_image is None:
        raise unsupported(
            f"The local model {p.label!r} ({family.edit}) edits images only; it cannot "
            "draw from text alone. Configure a Stable Diffusion, SDXL, Flux or Qwen model."
        )
    pipe = derived_pipeline(loaded, "text_to_image", label=p.label, lock=p.load_lock)
    long_side = int(p.text_to_image_side or loaded.native_side)
    size = im.parse_size(request.size, multiple=family.multiple, max_side=2048) or (
        im.aspect_size(request.aspect_ratio, long_side=long_side, multiple=family.multiple)
    )
    kwargs, read = p.common_kwargs(loaded, pipe, request)
    steps = p.steps_for(family, request)
    kwargs.update(width=size[0], height=size[1], num_inference_steps=steps)
    kwargs.update(p.report_steps(request, family, size, steps))
    pictures = p.call(loaded, pipe, kwargs, "drawing an image")
    return p.result(pipe, [im.prepare(x.convert("RGB"), size) for x in pictures], read)


def _mask_for(p, request: ImageRequest, source: Image.Image, size) -> Image.Image | None:
    mask = None
    if request.mask is not None:
        mask = im.open_mask(request.mask, size)
    elif request.task_type == TaskType.INPAINT:
        raise ProviderError(
            "An inpaint task needs a mask.",
            permanent=True,
            code="mask_required",
            provider=PROVIDER,
        )
    elif request.task_type == TaskType.HOTSPOT and request.hotspot and p.hotspot_radius:
        mask = im.hotspot_mask(request.hotspot, source.size, size, radius=p.hotspot_radius)
    if mask is not None and im.mask_is_empty(mask):
        raise ProviderError(
            "The mask is empty: it marks nothing that may change.",
            permanent=True,
            code="empty_mask",
            provider=PROVIDER,
        )
    return mask


def _inpaint_pipe(p, loaded: LoadedModel):
    if loaded.family.mode == Mode.INPAINT:
        return loaded.pipe
    return derived_pipeline(loaded, "inpaint", label=p.label, lock=p.load_lock)


def edit(p: DiffusersImageProvider, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
    family = loaded.family
    sources = [im.open_rgb(image) for image in request.images[: family.max_input_images]]
    source = sources[0]
    max_side = int(p.max_side or loaded.native_side)
    size = im.fit_size(*source.size, max_side=max_side, multiple=family.multiple)
    image = im.prepare(source, size)
    # The mask at the photo's own size: the result is put back together there, so every
    # pixel outside the mask is the photo's own; the model sees it at its working size.
    mask = _mask_for(p, request, source, source.size)
    model_mask = mask.resize(size, Image.Resampling.BILINEAR) if mask is not None else None
    steps = p.steps_for(family, request)
    pipe = loaded.pipe
    if family.mode == Mode.INPAINT or (mask is not None and family.inpaint):
        pipe = _inpaint_pipe(p, loaded)
    kwargs, read = p.common_kwargs(loaded, pipe, request)
    if family.mode in (Mode.STRENGTH, Mode.INPAINT):
        # An inpaint task replaces what is under the mask; an edit keeps closer to the photo.
        whole = request.task_type == TaskType.INPAINT
        strength = 1.0 if whole else p.strength_for(request)
        steps = p.strength_steps(steps, strength)
        kwargs.update(image=image, strength=strength)
        if pipe is not loaded.pipe or family.mode == Mode.INPAINT:
            whole_mask = Image.new("L", size, 255)  # no mask: everything may change
            kwargs.update(mask_image=model_mask or whole_mask, width=size[0], height=size[1])
    elif family.mode == Mode.INSTRUCT:
        kwargs.update(image=image, image_guidance_scale=p.image_guidance_for(request))
    else:
        references = [image] + [
            im.prepare(s, im.fit_size(*s.size, max_side=max_side, multiple=family.multiple))
            for s in sources[1:]
        ]
        # The output at the working size (Kontext and Qwen would pick their own otherwise;
        # Kontext rescales any size to ``max_area``, a megapixel unless told).
        kwargs.update(
            image=references if len(references) > 1 else image,
            width=size[0],
            height=size[1],
            max_area=size[0] * size[1],
        )
    kwargs["num_inference_steps"] = steps
    kwargs.update(p.report_steps(request, family, size, steps))
    pictures = p.call(loaded, pipe, kwargs, "editing an image")
    out = []
    for picture in pictures:
        if mask is None:
            out.append(im.prepare(picture.convert("RGB"), size))
        else:
            out.append(im.composite(picture, source, mask))
    return p.result(pipe, out, read)


def expand(p: DiffusersImageProvider, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
    family = loaded.family
    if not family.can_expand:
        raise unsupported(
            f"The local model {p.label!r} ({family.edit}) has no inpainting pipeline, so it "
            "cannot expand a photo. Configure a Stable Diffusion, SDXL, SD3 or Flux model, "
            "or an inpainting model (SD/SDXL inpainting, FLUX.1 Fill)."
        )
    padding = request.padding
    if not padding or not any(side > 0 for side in padding):
        raise ProviderError(
            "An expand task needs the pixels to add on at least one side.",
            permanent=True,
            code="invalid_request",
            provider=PROVIDER,
        )
    source = im.open_rgb(request.images[0])
    canvas, new_area = im.padded_canvas(source, padding)
    max_side = int(p.max_side or loaded.native_side)
    size = im.fit_size(*canvas.size, max_side=max_side, multiple=family.multiple)
    model_mask = im.grow(new_area.resize(size, Image.Resampling.NEAREST), EXPAND_SEAM)
    pipe = _inpaint_pipe(p, loaded)
    kwargs, read = p.common_kwargs(loaded, pipe, request)
    steps = p.strength_steps(p.steps_for(family, request), 1.0)
    kwargs.update(
        image=im.prepare(canvas, size),
        mask_image=model_mask,
        strength=1.0,
        width=size[0],
        height=size[1],
        num_inference_steps=steps,
    )
    kwargs.update(p.report_steps(request, family, size, steps))
    pictures = p.call(loaded, pipe, kwargs, "expanding an image")
    left, top = int(padding[0]), int(padding[1])
    out = []
    for picture in pictures:
        picture = im.prepare(picture.convert("RGB"), canvas.size)
        picture.paste(source, (left, top))  # the photo's own pixels, unchanged, in place
        out.append(picture)
    return p.result(pipe, out, read)


def upscale(p: DiffusersImageProvider, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
    family = loaded.family
    if family.mode != Mode.UPSCALE:
        raise unsupported(
            f"The local model {p.label!r} ({family.edit}) is not an upscaler. Point "
            "AICEPS_DIFFUSERS_MODEL at a diffusion upscaler (StableDiffusionUpscalePipeline, "
            "e.g. stabilityai/stable-diffusion-x4-upscaler) to upscale locally."
        )
    scale = int(request.scale or family.upscale_factor)
    if not 1 < scale <= family.upscale_factor:
        raise ProviderError(
            f"This upscaler enlarges up to {family.upscale_factor}x, not {scale}x.",
            permanent=True,
            code="invalid_request",
            provider=PROVIDER,
        )
    source = im.open_rgb(request.images[0])
    target = (source.width * scale, source.height * scale)
    # The upscaler's memory grows with the input; larger photos are reduced first (no tiles).
    max_side = int(p.max_side or UPSCALE_INPUT_SIDE)
    size = im.fit_size(*source.size, max_side=max_side, multiple=family.multiple)
    pipe = loaded.pipe
    kwargs, read = p.common_kwargs(loaded, pipe, request)
    steps = p.steps_for(family, request)
    kwargs.update(image=im.prepare(source, size), num_inference_steps=steps)
    pictures = p.call(loaded, pipe, kwargs, "upscaling an image")
    # The model makes 4x its input; the asked scale is exactly ``target`` (2x: resampled down).
    out = [im.prepare(picture.convert("RGB"), target) for picture in pictures]
    return p.result(pipe, out, read)
