import json
import logging

from core.logging import JsonFormatter, PlainFormatter, log_context


def record(message="stage done", **extra):
    return logging.makeLogRecord(
        {"name": "generation.pipeline", "levelname": "INFO", "msg": message, **extra}
    )


def test_json_lines_carry_context_and_extra_fields():
    with log_context(task_id="t-1"):
        line = JsonFormatter().format(record(provider="gemini", duration_ms=12))
    payload = json.loads(line)
    assert payload["message"] == "stage done"
    assert (payload["task_id"], payload["provider"], payload["duration_ms"]) == (
        "t-1",
        "gemini",
        12,
    )


def test_context_ends_with_its_block():
    with log_context(task_id="t-1"):
        pass
    assert "task_id" not in json.loads(JsonFormatter().format(record()))


def test_plain_lines_show_fields_and_long_values_are_cut():
    line = PlainFormatter().format(record(outcome="completed", blob="x" * 5000))
    assert "outcome=completed" in line
    assert len(line) < 600
