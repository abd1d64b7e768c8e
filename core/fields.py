"""Request fields whose OpenAPI schema says exactly what they take (DRF's own fields accept
more than their schema documents, which a client cannot know and a schema fuzzer reports).

* :class:`Boolean`: JSON ``true``/``false``, or the words a form sends (``true``, ``false``,
  ``1``, ``0``, ``on``, ``off``...): never a number, which DRF's ``BooleanField`` takes.
* :class:`Text`: a JSON string only (DRF's ``CharField`` turns a number into text).
* :class:`WebUrl`: an ``http``/``https`` URL naming a host (``core.destinations`` checks
  the rest: that the host resolves to a public address, when the URL is used).
"""

from __future__ import annotations

from drf_spectacular.drainage import set_override
from rest_framework import serializers

# An http(s) URL with a dotted-quad address or a host name (letters, digits and inner hyphens
# per label, the last label starting with a letter: a number spelled otherwise is refused by
# core.destinations), an optional port and anything after it.
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
HOST_NAME_PATTERN = rf"({_LABEL}\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?"
_HOST = rf"({_OCTET}(\.{_OCTET}){{3}}|{HOST_NAME_PATTERN})"
WEB_URL_PATTERN = rf"^https?://{_HOST}(:[0-9]{{1,4}})?([/?#][^\s]*)?$"


class Boolean(serializers.BooleanField):
    def to_internal_value(self, data):
        if isinstance(data, int | float) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class Text(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WebUrl(serializers.CharField):
    """``allow_blank``: an empty string means "none" (drf-spectacular documents it as the
    other branch of a ``oneOf``)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)
        set_override(self, "field", {"type": "string", "pattern": WEB_URL_PATTERN})
