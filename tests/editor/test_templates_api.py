"""``/api/templates`` from the prompt-template library, with cover and example images, and
the admin that manages those images."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from generation.models import PromptTemplate, PromptTemplateImage
from tests.conftest import make_photo

from .conftest import EditorClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_library():
    PromptTemplate.objects.all().delete()  # the library migration 0003 ships


def make_template(slug: str, *, position=100, uses=0, task_type="adjustment", **fields):
    template = PromptTemplate.objects.create(
        slug=slug,
        name_en=fields.pop("name_en", slug.title()),
        prompt_en=fields.pop("prompt_en", f"{slug} prompt"),
        task_type=task_type,
        position=position,
        use_count=uses,
        **fields,
    )
    return template


def with_images(template: PromptTemplate) -> PromptTemplate:
    template.cover_image.save("after.png", ContentFile(make_photo(fmt="PNG")), save=True)
    for position in (2, 1):
        example = PromptTemplateImage(template=template, position=position)
        example.image.save(f"before-{position}.jpg", ContentFile(make_photo(64 + position, 48)))
    return template


def test_templates_page_with_images(alice):
    with_images(make_template("film", name_zh="胶片", description_en="Old film"))
    make_template("neon", position=1)
    client = EditorClient()
    response = client.get("/api/templates", page=1, limit=1)
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["total"], data["page"], data["limit"], data["hasMore"]) == (2, 1, 1, True)
    assert data["templates"][0]["id"] == str(PromptTemplate.objects.get(slug="neon").pk)
    film = client.get("/api/templates", page=2, limit=1).json()["data"]["templates"][0]
    assert set(film) >= {
        "id",
        "title",
        "prompt",
        "description",
        "cover_image_url",
        "example_images",
    }
    assert (film["title"], film["prompt"], film["description"]) == (
        "Film",
        "film prompt",
        "Old film",
    )
    assert film["cover_image_url"].startswith("http://testserver/api/templates/images/")
    assert len(film["example_images"]) == 2
    first_example = client.http.get(film["example_images"][0].removeprefix("http://testserver"))
    assert first_example.status_code == 200
    assert Image.open(io.BytesIO(first_example.content)).size == (65, 48)  # position 1 first
    cover = client.http.get(film["cover_image_url"].removeprefix("http://testserver"))
    assert cover["Content-Type"] == "image/png"


def test_popular_is_by_use_and_filters_work(editor):
    make_template("rarely", uses=1, task_type="filter", prompt_en="grainy black and white")
    make_template("often", uses=9, task_type="style", name_zh="梵高")
    make_template("never", task_type="style")
    popular = editor.get("/api/templates", token=True, sort="popular").json()["data"]
    assert [t["slug"] for t in popular["templates"]] == ["often", "rarely", "never"]
    styles = editor.get("/api/templates", category="style").json()["data"]
    assert {t["slug"] for t in styles["templates"]} == {"often", "never"}
    found = editor.get("/api/templates", search="GRAINY").json()["data"]
    assert [t["slug"] for t in found["templates"]] == ["rarely"]
    found = editor.get("/api/templates", search="梵高").json()["data"]
    assert [t["slug"] for t in found["templates"]] == ["often"]
    assert editor.get("/api/templates", category="nonsense").json()["data"]["total"] == 0


def test_one_template_and_inactive_ones_hidden(alice):
    template = make_template("film")
    hidden = with_images(make_template("hidden", is_active=False))
    client = EditorClient()
    body = client.get(f"/api/templates/{template.pk}").json()
    assert body["data"]["template"]["slug"] == "film"
    assert client.get(f"/api/templates/{hidden.pk}").status_code == 404
    assert client.http.get(f"/api/templates/images/{hidden.cover_image.name}").status_code == 404
    assert [t["slug"] for t in client.get("/api/templates").json()["data"]["templates"]] == ["film"]


def test_only_template_images_are_served(alice):
    client = EditorClient()
    for name in ["task-history/1/x/original.png", "prompt-templates/../secret.png", "x.png"]:
        assert client.http.get(f"/api/templates/images/{name}").status_code == 404


def test_the_admin_manages_cover_and_example_images(admin_client):
    photo = make_photo(fmt="PNG")
    response = admin_client.post(
        "/admin/generation/prompttemplate/add/",
        {
            "slug": "sunset",
            "icon": "🌅",
            "task_type": "filter",
            "aspect_ratio": "",
            "position": 5,
            "is_active": "on",
            "name_en": "Sunset",
            "prompt_en": "warm sunset light",
            "cover_image": ContentFile(photo, name="cover.png"),
            "example_images-TOTAL_FORMS": "1",
            "example_images-INITIAL_FORMS": "0",
            "example_images-0-image": ContentFile(make_photo(), name="before.jpg"),
            "example_images-0-position": "1",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    template = PromptTemplate.objects.get(slug="sunset")
    assert template.cover_image.name.startswith("prompt-templates/sunset/cover-")
    assert template.example_images.count() == 1
    listed = EditorClient().get("/api/templates").json()["data"]["templates"][0]
    assert listed["cover_image_url"] and len(listed["example_images"]) == 1


def test_a_template_without_a_cover_gets_a_drawn_one(alice):
    make_template("plain")
    hidden = make_template("retired", is_active=False)
    client = EditorClient()
    [plain] = client.get("/api/templates").json()["data"]["templates"]
    assert plain["cover_image_url"] == "http://testserver/api/templates/covers/plain.png"
    drawn = client.http.get("/api/templates/covers/plain.png")
    assert drawn.status_code == 200 and drawn["Content-Type"] == "image/png"
    cover = Image.open(io.BytesIO(drawn.content)).convert("RGB")
    assert cover.size == (480, 360) and len(set(cover.getdata())) > 16  # a gradient, a frame
    # The editor shows covers through the proxy: it serves this one from here too.
    proxied = client.http.get("/api/proxy-image", {"url": plain["cover_image_url"]})
    assert proxied.status_code == 200 and proxied.content == drawn.content
    for name in (f"{hidden.slug}.png", "nothing.png", "plain.jpg"):
        assert client.http.get(f"/api/templates/covers/{name}").status_code == 404
    with_images(PromptTemplate.objects.get(slug="plain"))
    assert client.http.get("/api/templates/covers/plain.png").status_code == 404  # uploaded
