"""Local image generation with Hugging Face diffusers (the ``[local]`` extra).

Importing this package imports neither torch nor diffusers: they are imported when the model is
loaded, so a missing extra is reported as a clear ``provider_unavailable`` error.
"""

from .families import FAMILIES, Family, Mode
from .provider import DiffusersImageProvider

__all__ = ["FAMILIES", "DiffusersImageProvider", "Family", "Mode"]
