"""Local image generation with Hugging Face diffusers (the ``[local]`` extra).

Importing this package imports neither torch nor diffusers: they are imported when the model is
loaded, so a missing extra is reported as a clear ``provider_unavailable`` error.
"""

from ..declaring import Provider, ProviderSetting
from .families import FAMILIES, Family, Mode
from .provider import DiffusersImageProvider
from .runtime import PROVIDER as NAME

_SIZE = "the model's native size"
PROVIDER = Provider(
    image_providers={NAME: f"{__name__}.DiffusersImageProvider"},
    settings=(
        ProviderSetting(
            "AICEPS_DIFFUSERS_MODEL", doc="local directory or hub id (needs the `[local]` extra)"
        ),
        ProviderSetting("AICEPS_DIFFUSERS_DEVICE", "auto", doc="`auto`, `cuda`, `mps`, `cpu`"),
        ProviderSetting(
            "AICEPS_DIFFUSERS_DTYPE", "auto", doc="`auto`, `float32`, `float16`, `bfloat16`"
        ),
        # Steps and guidance: unset means the model family's usual values (2.5 for FLUX Kontext).
        ProviderSetting(
            "AICEPS_DIFFUSERS_STEPS",
            None,
            doc="sampling steps and guidance scale",
            type="optional_int",
            shown="the model family's own",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_GUIDANCE",
            None,
            doc="sampling steps and guidance scale",
            type="optional_float",
            shown="the model family's own",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_IMAGE_GUIDANCE",
            1.5,
            doc="InstructPix2Pix image guidance",
            type="float",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_STRENGTH",
            0.6,
            doc="img2img strength; seed (`-1`: random per request)",
            type="float",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_SEED",
            -1,
            doc="img2img strength; seed (`-1`: random per request)",
            type="int",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_MAX_SIDE",
            None,
            doc="long side of edited / generated images",
            type="optional_int",
            shown=_SIZE,
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_SIZE",
            None,
            doc="long side of edited / generated images",
            type="optional_int",
            shown=_SIZE,
        ),
        ProviderSetting("AICEPS_DIFFUSERS_NEGATIVE_PROMPT", doc="negative prompt"),
        ProviderSetting(
            "AICEPS_DIFFUSERS_HOTSPOT_RADIUS",
            0.25,
            doc=(
                "a hotspot edit without a mask changes this share of the short side around "
                "the point"
            ),
            type="float",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_ALLOW_DOWNLOAD",
            False,
            doc="let a hub id download (otherwise only the local cache is read)",
            type="bool",
        ),
        ProviderSetting(
            "AICEPS_DIFFUSERS_CPU_OFFLOAD",
            False,
            doc="model CPU offload on small GPUs",
            type="bool",
        ),
    ),
)

__all__ = ["FAMILIES", "PROVIDER", "DiffusersImageProvider", "Family", "Mode"]
