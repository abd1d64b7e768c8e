"""The Standard Webhooks signing scheme (standardwebhooks.com), on the standard library.

A secret is ``whsec_`` and the base64 of 32 random bytes. Each attempt carries three
headers: ``webhook-id`` (the message, the same on every retry), ``webhook-timestamp``
(seconds since the epoch, of this attempt) and ``webhook-signature``: ``v1,`` and the
base64 HMAC-SHA256, keyed with the secret's bytes, of ``{id}.{timestamp}.{body}``.
Receivers verify it with any Standard Webhooks library and refuse timestamps more than a few
minutes off (a replayed capture) and ids they have seen (a replay inside that window).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    return base64.b64decode(raw + "==")


def signature(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, *, message_id: str, timestamp: int, body: bytes) -> dict:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
