"""The request fields whose schema says what they take."""

from __future__ import annotations

import re

import pytest
from rest_framework import serializers

from core.destinations import parse_destination
from core.fields import WEB_URL_PATTERN, Boolean, WebUrl


class Form(serializers.Serializer):
    flag = Boolean(required=False)
    url = WebUrl(required=False, allow_blank=True)


@pytest.mark.parametrize("value", [True, False, "true", "false", "0", "on"])
def test_a_boolean_takes_json_booleans_and_form_words(value):
    assert Form(data={"flag": value}).is_valid()


@pytest.mark.parametrize("value", [0, 1, 1.0])
def test_a_boolean_refuses_numbers(value):
    form = Form(data={"flag": value})
    assert not form.is_valid() and "flag" in form.errors


@pytest.mark.parametrize(
    "url", ["https://example.com/hook", "http://10.0.0.1:8080/x?y=1", "http://h#f"]
)
def test_every_url_the_pattern_admits_is_one_aiceps_can_read(url):
    assert re.match(WEB_URL_PATTERN, url)
    assert parse_destination(url).host


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "https://",
        "https://u:p@h/",
        "h/x",
        "http://0",
        "http://0q",
        "http://a.1",
    ],
)
def test_urls_aiceps_refuses_are_outside_the_pattern(url):
    assert not re.match(WEB_URL_PATTERN, url)
