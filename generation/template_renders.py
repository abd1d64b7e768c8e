"""Covers that show what a template does: its prompt run by the offline editor on a real photo.

A template without an uploaded cover gets one made from a public-domain photo shipped in the
package (``generation/data/cover-*.jpg``, 480 x 360: NASA's portrait of Eileen Collins and its
night launch, Stefan van der Walt's cat Chelsea and Rachel Michetti's coffee, all CC0 or
public domain, from scikit-image's sample data). The photo is picked by the template's task
type; clicked templates are clicked on the coffee's spoon. The result is made once, on first
use, and stored like any task file under ``prompt-templates/<slug>/offline-cover-<digest>.png``
(the digest covers the prompt, the photo and :data:`RENDER_VERSION`, so an edited prompt gets a
new cover); the untouched photo is the template's "before" example.

Where the offline editor cannot do the template, no result is faked: the cover is the drawn
card (the editor's ``template_covers.drawn_cover``), marked with a band that says an AI provider is
needed where none of the configured providers can do it either.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from catalogue import task_types
from catalogue.providers import registry
from catalogue.providers.base import ImageRequest, InputImage, ProviderError
from catalogue.task_types import provider_can
from core.errors import ValidationError
from generation.models_templates import TEMPLATE_IMAGE_PREFIX

logger = logging.getLogger(__name__)

RENDER_VERSION = "1"
PHOTOS = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Scene:
    photo: str  # cover-<photo>.jpg
    second: str | None = None  # a second photo (fusion: the new background)
    hotspot: tuple[int, int] | None = None  # a click, in the photo's pixels


FACE = (210, 110)  # Eileen Collins's face in cover-portrait.jpg
SPOON = (300, 250)  # the spoon in cover-cup.jpg
SCENES = {
    task_types.TaskType.REMOVE_BACKGROUND: Scene("portrait"),
    task_types.TaskType.EDIT: Scene("portrait"),
    task_types.TaskType.FUSION: Scene("portrait", second="launch"),
    task_types.TaskType.STYLE: Scene("cat"),
    task_types.TaskType.FILTER: Scene("cat"),
    task_types.TaskType.ADJUSTMENT: Scene("cup"),
    task_types.TaskType.TEXTURE: Scene("cup"),
    task_types.TaskType.HOTSPOT: Scene("cup", hotspot=SPOON),
}


def scene_for(task_type: str) -> Scene | None:
    """The photo a template of this task type is shown on; None for text to image."""
    return SCENES.get(task_type, Scene("portrait")) if task_type != "text_to_image" else None


@cache
def photo_bytes(name: str) -> bytes:
    return (PHOTOS / f"cover-{name}.jpg").read_bytes()


def _input(name: str) -> InputImage:
    return InputImage(photo_bytes(name), "image/jpeg", 480, 360)


def render_key(slug: str, task_type: str, prompt: str) -> str | None:
    scene = scene_for(task_type)
    if scene is None:
        return None
    digest = hashlib.sha256(
        "\x00".join([RENDER_VERSION, task_type, prompt, repr(scene)]).encode()
    ).hexdigest()[:12]
    return f"{TEMPLATE_IMAGE_PREFIX}/{slug}/offline-cover-{digest}.png"


def render(task_type: str, prompt: str) -> bytes | None:
    """The template's effect on its photo (PNG), or None when the offline editor can't."""
    scene = scene_for(task_type)
    if scene is None:
        return None
    images = (_input(scene.photo),) + ((_input(scene.second),) if scene.second else ())
    request = ImageRequest(
        prompt="",
        instruction=prompt,
        task_type=task_type,
        images=images,
        hotspot=scene.hotspot,
    )
    try:
        result = registry.get_image_provider("offline").generate(request)
    except ProviderError as error:
        logger.info("template cover not rendered offline (%s): %s", task_type, error.code)
        return None
    return result.images[0].data


def stored_render(slug: str, task_type: str, prompt: str) -> bytes | None:
    """The stored cover, made now if it was not yet; None when the offline editor can't."""
    key = render_key(slug, task_type, prompt)
    if key is None:
        return None
    try:
        if default_storage.exists(key):
            with default_storage.open(key, "rb") as handle:
                return handle.read()
    except OSError:
        logger.warning("template cover %s could not be read; rendering it again", key)
    data = render(task_type, prompt)
    if data is not None:
        try:
            if not default_storage.exists(key):
                default_storage.save(key, ContentFile(data))
        except OSError:
            logger.warning("template cover %s could not be stored", key)
    return data


def configured_can_do(task_type: str, prompt: str) -> bool:
    """Whether a configured provider other than the offline editor can do the template."""
    try:
        chain = registry.resolve_chain(None, kind="image_provider")
    except (ProviderError, ValidationError):
        return False
    for name in chain:
        if name == "offline":
            continue
        try:
            capable = registry.capabilities_of(name)
        except (ProviderError, ValidationError):
            continue
        if provider_can(capable, task_type) and not registry.instruction_refusal(
            name, task_type=task_type, instruction=prompt
        ):
            return True
    return False
