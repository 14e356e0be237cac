"""Log lines for people (text) or for a log pipeline (one JSON object per line)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

from ioc.telemetry.context import current_request_id

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"

#: Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id()
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id if request_id and request_id != "-" else None,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def log_handler(fmt: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A stderr handler writing ``fmt`` lines, with the request id filled in."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(*, fmt: LogFormat, level: int) -> None:
    """Send log lines to stderr in ``fmt``; IOC's own at ``level`` and above.

    Called by each process's entry point (the CLI, the WSGI module). Like
    :func:`logging.basicConfig` it leaves a root logger that already has someone else's
    handlers alone (a test runner's, an embedding program's), and it replaces its own, so
    calling it twice does not double the lines.
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_ioc", False)]
    if len(ours) == len(root.handlers):
        for handler in ours:
            root.removeHandler(handler)
        handler = log_handler(fmt)
        handler._ioc = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    logging.getLogger("ioc").setLevel(level)
