"""A fake Stability AI REST API (v2beta Stable Image) on 127.0.0.1, speaking its wire protocol.

Routes (under ``/v2beta/stable-image/``): ``core``, ``ultra``, ``sd3`` (``generate/...``),
``inpaint``, ``outpaint`` and ``remove_background`` (``edit/...``). Each takes
``multipart/form-data`` with ``Authorization: Bearer KEY`` and answers as the real one does:
with ``Accept: application/json`` ``{"image": base64, "finish_reason", "seed"}``, with
``Accept: image/*`` the image bytes and ``finish-reason`` / ``seed`` headers. Errors are
``{"id", "name", "errors": [...]}``: 400 ``bad_request`` for a missing or invalid field
(the real field checks: a prompt, an image of at least 64 px a side, the aspect ratios and
formats it knows, outpaint sides of 0 to 2000 with one above 0), 401 ``unauthorized``, 403
``content_moderation`` for a prompt with a word of ``flagged_words``; an image the output
filter would catch (``filtered_words``) comes back blurred with ``CONTENT_FILTERED``.

By default it paints in ``server.color``: a generated image of that colour at the aspect
ratio, the masked area of an inpaint, the new border of an outpaint; a removed background
keeps the centre half opaque. Script other answers with ``enqueue``.

Standalone: ``python -m tests.fakes.stability_server --port 8768`` then
``STABILITY_BASE_URL=http://127.0.0.1:8768 STABILITY_API_KEY=anything``.
"""

from __future__ import annotations

import argparse
import base64
import io
import uuid

from PIL import Image, ImageFilter

from .base_server import Canned, FakeServer, Received

ASPECT_RATIOS = {"16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"}
FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
PREFIX = r"^/v2beta/stable-image/"


def error(status: int, name: str, *errors: str) -> Canned:
    return Canned(status, {"id": uuid.uuid4().hex, "name": name, "errors": list(errors)})


class StabilityFakeServer(FakeServer):
    routes = {
        "core": PREFIX + r"generate/core$",
        "ultra": PREFIX + r"generate/ultra$",
        "sd3": PREFIX + r"generate/sd3$",
        "inpaint": PREFIX + r"edit/inpaint$",
        "outpaint": PREFIX + r"edit/outpaint$",
        "remove_background": PREFIX + r"edit/remove-background$",
    }
    flagged_words = ("forbidden",)
    filtered_words = ("gory",)

    def authorized(self, request: Received) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Canned:
        return error(401, "unauthorized", "authorization: invalid or missing API key")

    def default(self, request: Received) -> Canned:
        if "multipart/form-data" not in request.headers.get("content-type", ""):
            return error(400, "bad_request", "content-type: must be multipart/form-data")
        accept = request.headers.get("accept", "")
        if accept not in ("application/json", "image/*"):
            return error(400, "bad_request", "accept: must be image/* or application/json")
        output = request.field("output_format") or "png"
        if output not in FORMATS:
            return error(
                400, "bad_request", f"output_format: {output!r} is not one of png, jpeg, webp"
            )
        prompt = request.field("prompt") or ""
        if any(word in prompt.lower() for word in self.flagged_words):
            return error(
                403,
                "content_moderation",
                "Your request was flagged by our content moderation system, as a result your "
                "request was denied and you were not charged.",
            )
        made = self._make(request, prompt)
        if isinstance(made, Canned):
            return made
        reason = "SUCCESS"
        if any(word in prompt.lower() for word in self.filtered_words):
            made, reason = made.filter(ImageFilter.GaussianBlur(8)), "CONTENT_FILTERED"
        buffer = io.BytesIO()
        if output == "jpeg":
            made = made.convert("RGB")
        made.save(buffer, format=FORMATS[output])
        seed = 1234567
        if accept == "image/*":
            headers = {
                "Content-Type": f"image/{output}",
                "finish-reason": reason,
                "seed": str(seed),
            }
            return Canned(200, buffer.getvalue(), headers)
        image = base64.b64encode(buffer.getvalue()).decode()
        return Canned(200, {"image": image, "finish_reason": reason, "seed": seed})

    # --- what each route makes ------------------------------------------------------------

    def _make(self, request: Received, prompt: str) -> Image.Image | Canned:
        route = request.route
        if route in ("core", "ultra", "sd3"):
            if not prompt:
                return error(400, "bad_request", "prompt: cannot be empty")
            ratio = request.field("aspect_ratio") or "1:1"
            if ratio not in ASPECT_RATIOS:
                return error(400, "bad_request", f"aspect_ratio: {ratio!r} is not supported")
            if route == "sd3" and not (request.field("model") or "sd3.5-large").startswith("sd3"):
                return error(400, "bad_request", "model: unknown")
            across, down = (int(side) for side in ratio.split(":"))
            scale = 96 / max(across, down)
            return Image.new("RGB", (round(across * scale), round(down * scale)), self.color)
        photo = self._photo(request)
        if isinstance(photo, Canned):
            return photo
        if route == "inpaint":
            if not prompt:
                return error(400, "bad_request", "prompt: cannot be empty")
            mask = self._upload(request, "mask")
            if mask is None:
                return error(400, "bad_request", "mask: required (or an image with alpha)")
            mask = mask.convert("L").resize(photo.size)
            painted = photo.convert("RGB")
            painted.paste(Image.new("RGB", photo.size, self.color), (0, 0), mask)
            return painted
        if route == "outpaint":
            sides = {}
            for name in ("left", "right", "up", "down"):
                raw = request.field(name) or "0"
                if not raw.isdigit() or int(raw) > 2000:
                    return error(400, "bad_request", f"{name}: must be between 0 and 2000")
                sides[name] = int(raw)
            if not any(sides.values()):
                return error(400, "bad_request", "left, right, up, down: one must be above 0")
            size = (
                photo.width + sides["left"] + sides["right"],
                photo.height + sides["up"] + sides["down"],
            )
            canvas = Image.new("RGB", size, self.color)
            canvas.paste(photo.convert("RGB"), (sides["left"], sides["up"]))
            return canvas
        cut = photo.convert("RGBA")  # remove_background: the centre half is the subject
        alpha = Image.new("L", cut.size, 0)
        box = (cut.width // 4, cut.height // 4, cut.width * 3 // 4, cut.height * 3 // 4)
        alpha.paste(255, box)
        cut.putalpha(alpha)
        return cut

    def _photo(self, request: Received) -> Image.Image | Canned:
        photo = self._upload(request, "image")
        if photo is None:
            return error(400, "bad_request", "image: required")
        if min(photo.size) < 64:
            return error(400, "bad_request", "image: every side must be at least 64 pixels")
        return photo

    @staticmethod
    def _upload(request: Received, name: str) -> Image.Image | None:
        files = request.files.get(name)
        if not files:
            return None
        image = Image.open(io.BytesIO(files[0].data))
        image.load()
        return image

    def sent_image(self, request: Received, name: str = "image") -> Image.Image:
        """An image a request uploaded (``image`` or ``mask``)."""
        image = self._upload(request, name)
        assert image is not None, f"no {name} in the request"
        return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8768)
    parser.add_argument("--api-key", default=None, help="refuse other keys (default: any)")
    args = parser.parse_args()
    server = StabilityFakeServer(port=args.port, api_key=args.api_key, color=(46, 139, 87))
    server.serve_until_interrupted(f"Fake Stability AI on {server.url}")


if __name__ == "__main__":
    main()
