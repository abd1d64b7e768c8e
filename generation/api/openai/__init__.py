"""The OpenAI-compatible API under ``/v1``: images (``views``), models (``models``); requests
are read in ``params``, answers built in ``answers`` and streamed in ``streaming``."""

from .models import ModelDetailApi, ModelsApi
from .views import ImagesEditsApi, ImagesGenerationsApi, UnknownRouteApi

__all__ = [
    "ImagesEditsApi",
    "ImagesGenerationsApi",
    "ModelDetailApi",
    "ModelsApi",
    "UnknownRouteApi",
]
