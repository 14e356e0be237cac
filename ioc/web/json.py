"""JSON answers: UTF-8 text as is, and timestamps as ISO 8601 in the province's time zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import FileStorage


class IocJSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # Vietnamese stays readable
    sort_keys = False
    timezone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.astimezone(self.timezone).isoformat() if o.tzinfo else o.isoformat()
        if isinstance(o, date):
            return o.isoformat()
        if isinstance(o, FileStorage):
            # A multipart form that fails validation is echoed back (as ``input``) before it
            # reaches the error handler: an upload is named, never sent back.
            return o.filename
        return super().default(o)
