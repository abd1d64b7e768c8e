"""The tools' schemas come from the task-type catalogue: a task type added to SPECS is offered
as an argument value with no MCP code changed."""

from __future__ import annotations

from enum import StrEnum

import anyio
import pytest
from rest_framework.authtoken.models import Token

from catalogue import task_types
from catalogue.task_types import Label, TaskTypeSpec
from mcp_server.inputs import check_arguments
from mcp_server.tools import Call, idempotency_key, tool_table

from .conftest import mcp_session


class Extra(StrEnum):
    SKETCH = "pencil_sketch"
    POSTER = "movie_poster"


@pytest.fixture
def extended_catalogue(monkeypatch):
    sketch = TaskTypeSpec(
        Extra.SKETCH,
        Label("Pencil sketch", "铅笔素描"),
        Label("Redraw the photo as a pencil sketch.", "把照片画成铅笔素描。"),
        prompt_required=False,
        scales=(3,),
    )
    poster = TaskTypeSpec(
        Extra.POSTER,
        Label("Movie poster", "电影海报"),
        Label("A poster from words alone.", "只用文字生成海报。"),
        min_images=0,
        max_images=0,
        needs="text_to_image",
    )
    monkeypatch.setitem(task_types.SPECS, Extra.SKETCH, sketch)
    monkeypatch.setitem(task_types.SPECS, Extra.POSTER, poster)


def test_a_new_task_type_appears_in_the_schemas(extended_catalogue):
    tools = tool_table()
    edit = tools["edit_image"]
    assert "pencil_sketch" in edit[1]["properties"]["task_type"]["enum"]
    assert "Redraw the photo as a pencil sketch." in edit[0]
    assert 3 in edit[1]["properties"]["scale"]["enum"]
    generate = tools["generate_image"][1]["properties"]["task_type"]["enum"]
    assert (
        "movie_poster" in generate
        and "movie_poster" not in edit[1]["properties"]["task_type"]["enum"]
    )
    assert "pencil_sketch" in tools["list_tasks"][1]["properties"]["task_type"]["enum"]
    check_arguments({"images": ["x"], "task_type": "pencil_sketch"}, edit[1])


@pytest.mark.django_db(transaction=True)
def test_a_new_task_type_is_listed_over_mcp(extended_catalogue, live_mcp, user):
    token = Token.objects.create(user=user).key

    async def run():
        async with mcp_session(live_mcp.url, token) as session:
            return {tool.name: tool for tool in (await session.list_tools()).tools}

    tools = anyio.run(run)
    assert "pencil_sketch" in tools["edit_image"].input_schema["properties"]["task_type"]["enum"]
    assert "movie_poster" in tools["generate_image"].input_schema["properties"]["task_type"]["enum"]


def test_schema_errors_name_the_argument():
    schema = tool_table()["edit_image"][1]
    cases = {
        "images": {},
        "task_type": {"images": ["x"], "task_type": "nope"},
        "point.x": {"images": ["x"], "point": {"x": -1, "y": 0}},
        "point.y": {"images": ["x"], "point": {"x": 1}},
        "point.z": {"images": ["x"], "point": {"x": 1, "y": 1, "z": 1}},
        "colour": {"images": ["x"], "colour": "red"},
    }
    for param, arguments in cases.items():
        with pytest.raises(Exception) as caught:
            check_arguments(arguments, schema)
        assert caught.value.param == param, (param, caught.value.message)


def test_the_derived_idempotency_key_is_the_same_for_the_same_request_only(user):
    from mcp_server.principal import Principal

    async def report(*args):
        return None

    call = Call(principal=Principal(user=user), session="s1", request_id="7", report=report)
    arguments = {"images": ["a"], "instruction": "black and white"}
    key = idempotency_key(call, "edit_image", arguments)
    assert key == idempotency_key(call, "edit_image", dict(arguments))
    assert key != idempotency_key(call, "edit_image", {**arguments, "instruction": "sepia"})
    other_request = Call(principal=call.principal, session="s1", request_id="8", report=report)
    assert key != idempotency_key(other_request, "edit_image", arguments)
    assert idempotency_key(call, "edit_image", {**arguments, "idempotency_key": "k"}) == "k"
    stateless = Call(principal=call.principal, session="", request_id="7", report=report)
    assert idempotency_key(stateless, "edit_image", arguments) is None
