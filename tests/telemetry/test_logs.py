"""Log lines: one JSON object per line with time, level, logger, message and request id."""

from __future__ import annotations

import io
import json
import logging

from ioc.telemetry.context import current_request_id, request_id_bound
from ioc.telemetry.logs import log_handler


def _logger(stream: io.StringIO, fmt: str) -> logging.Logger:
    logger = logging.getLogger(f"ioc.test_logs.{fmt}")
    logger.handlers = [log_handler(fmt, stream)]  # type: ignore[arg-type]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_a_json_line_names_time_level_logger_message_and_request_id():
    stream = io.StringIO()
    logger = _logger(stream, "json")

    with request_id_bound("req-json-0001"):
        logger.warning("báo cáo %s đã quá hạn", "PA-0001", extra={"report_id": 7})

    line = json.loads(stream.getvalue())
    assert line["level"] == "WARNING"
    assert line["logger"] == "ioc.test_logs.json"
    assert line["message"] == "báo cáo PA-0001 đã quá hạn"
    assert line["request_id"] == "req-json-0001"
    assert line["report_id"] == 7
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_json_request_id_is_null():
    stream = io.StringIO()

    _logger(stream, "json").info("worker started")

    assert json.loads(stream.getvalue())["request_id"] is None


def test_an_exception_stays_on_its_one_line():
    stream = io.StringIO()
    logger = _logger(stream, "json")

    try:
        raise ValueError("hỏng")
    except ValueError:
        logger.exception("sweep failed")

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "ValueError: hỏng" in json.loads(lines[0])["exception"]


def test_a_text_line_carries_the_request_id():
    stream = io.StringIO()
    logger = _logger(stream, "text")

    with request_id_bound("req-text-0002"):
        logger.info("hello")

    assert "[req-text-0002]: hello" in stream.getvalue()
    assert current_request_id() is None
