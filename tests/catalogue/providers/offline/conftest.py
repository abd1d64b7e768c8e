"""Fixtures for the offline editor's tests (photos come from :mod:`.photos`)."""

from __future__ import annotations

import pytest
from PIL import Image

from .photos import landscape_image, portrait_image


@pytest.fixture(scope="session")
def portrait() -> Image.Image:
    return portrait_image()


@pytest.fixture(scope="session")
def landscape() -> Image.Image:
    return landscape_image()


@pytest.fixture(scope="session")
def editor():
    from catalogue.providers.offline.editor import OfflineImageProvider

    return OfflineImageProvider.from_settings()
