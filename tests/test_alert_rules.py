"""The example alert rules parse, are complete, and only name metrics AicePS exposes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from operations import collectors as metrics

RULES = Path(__file__).resolve().parent.parent / "ops" / "prometheus" / "alerts.yml"
# Series that come from Prometheus itself or the blackbox exporter, not from AicePS.
EXTERNAL = {"up", "probe_success"}
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "le", "inf", "nan",
}  # fmt: skip
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exposed_names() -> set[str]:
    """Every sample name /metrics can carry: each family with its type's suffixes."""
    names = set()
    collectors = [metrics._ProcessCollectors(), metrics.StateCollector()]
    families = [family for collector in collectors for family in collector.collect()]
    for family in families:
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def metric_names(expr: str) -> set[str]:
    """The series names in a PromQL expression (labels, durations, strings and functions
    removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range durations
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", text)  # grouping labels
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end() :].lstrip()
        if following.startswith("(") or name.lower() in KEYWORDS:
            continue  # a function or a keyword
        names.add(name)
    return names


def rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_file_is_well_formed():
    document = yaml.safe_load(RULES.read_text())
    assert [group["name"] for group in document["groups"]] == ["aiceps"]
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)) >= 8
    for rule in rules():
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        expr = rule["expr"]
        for pair in ("()", "{}", "[]"):
            assert expr.count(pair[0]) == expr.count(pair[1]), (rule["alert"], pair)
        assert expr.count('"') % 2 == 0


@pytest.mark.django_db
def test_every_metric_in_the_rules_is_exposed():
    exposed = exposed_names()
    used = set()
    for rule in rules():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        unknown = names - exposed - EXTERNAL
        assert not unknown, f"{rule['alert']} uses metrics AicePS does not expose: {unknown}"
        used |= names
    # The rules cover what the issue asks to watch.
    for name in (
        "aiceps_task_transitions_total",
        "aiceps_queue_oldest_age_seconds",
        "aiceps_provider_errors_total",
        "aiceps_storage_fallbacks_total",
        "aiceps_dependency_up",
        "probe_success",
    ):
        assert name in used


def test_the_name_extraction_itself():
    expr = 'sum by (provider) (rate(aiceps_x_total{code=~"a|b"}[5m])) / on (le) up > bool 0'
    assert metric_names(expr) == {"aiceps_x_total", "up"}
