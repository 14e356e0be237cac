"""The life of one report, end to end over the HTTP APIs, on the demo province.

    .venv/bin/python examples/scenario.py http://127.0.0.1:5000

Run it against `ioc demo` (which accepts Firebase emulator tokens). A citizen reports a
pothole with a photo; the operator verifies and assigns it to Sở Xây dựng; the agency accepts
and asks for more time; the supervisor approves; the agency resolves with an "after" photo;
the citizen is not satisfied; the operator reopens; the agency resolves again; the citizen is
satisfied and the report is closed. Each step prints one line; any failure stops the run.
The test suite runs the same script through the app's test client.
"""

from __future__ import annotations

import io
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PIL import Image

from ioc.identity import emulator_token

# (method, path, headers, json body or None, multipart fields or None) ► (status, body)
Send = Callable[[str, str, dict[str, str], Any, dict[str, Any] | None], tuple[int, Any]]


def photo(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def run(send: Send, *, project_id: str = "ioc-demo", echo: Callable[[str], None] = print) -> str:
    """Play the scenario; returns the report's ref. Raises AssertionError on a wrong answer."""

    def call(method: str, path: str, token: str, body: Any = None, form: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        status, answer = send(method, path, headers, body, form)
        assert 200 <= status < 300, f"{method} {path} answered {status}: {answer}"
        return answer

    def login(username: str, password: str) -> str:
        status, answer = send(
            "POST", "/api/auth/login", {}, {"username": username, "password": password}, None
        )
        assert status == 200, f"login {username} answered {status}: {answer}"
        return answer["token"]

    citizen = emulator_token(
        project_id=project_id,
        uid=f"scenario-{uuid.uuid4().hex[:8]}",
        name="Nguyễn Văn An",
        phone="+84905123456",
    )
    operator = login("dieuhanh", "demo-dieuhanh")
    supervisor = login("giamsat", "demo-giamsat")
    agency = login("sxd.canbo", "demo-sxd-officer")

    report = {
        "category": "pothole",
        "lon": 108.74,
        "lat": 15.57,
        "description": "Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm",
        "attributes": {"pothole_size": "large"},
    }
    status, created = send(
        "POST",
        "/api/mobile/v1/reports",
        {"Authorization": f"Bearer {citizen}", "Idempotency-Key": uuid.uuid4().hex},
        None,
        {"report": json.dumps(report, ensure_ascii=False), "photos": [photo((90, 60, 40))]},
    )
    assert status == 201, created
    ref = created["ref"]
    echo(f"citizen submitted {ref}: {created['status']}")

    ops = f"/api/ops/v1/reports/{ref}"
    call("POST", f"{ops}/verify", operator, {"note": "Đã xác minh qua ảnh"})
    assigned = call("POST", f"{ops}/assign", operator, {"agency": "SXD"})
    echo(f"operator verified and assigned it to SXD, due {assigned['due_at']}")

    mine = f"/api/agency/v1/reports/{ref}"
    call("POST", f"{mine}/accept", agency)
    due = datetime.fromisoformat(assigned["due_at"])
    call(
        "POST",
        f"{mine}/extension",
        agency,
        {"until": (due + timedelta(days=3)).isoformat(), "reason": "Chờ nhựa đường"},
    )
    echo("agency accepted and asked for three more days")

    extended = call("POST", f"{ops}/extension", supervisor, {"approve": True, "note": "Đồng ý"})
    echo(f"supervisor approved: due {extended['due_at']}")

    call(
        "POST",
        f"{mine}/resolve",
        agency,
        None,
        {"answer": "Đã vá ổ gà", "photos": [photo((60, 60, 60))]},
    )
    echo("agency resolved it with an after photo")

    citizen_view = f"/api/mobile/v1/reports/{ref}"
    call(
        "POST",
        f"{citizen_view}/rating",
        citizen,
        {"rating": "unsatisfied", "comment": "Vá chưa phẳng"},
    )
    echo("citizen rated it unsatisfied")

    call("POST", f"{ops}/reopen", operator, {"reason": "Người dân chưa hài lòng"})
    call("POST", f"{mine}/accept", agency)
    call(
        "POST",
        f"{mine}/resolve",
        agency,
        None,
        {"answer": "Đã cán phẳng lại mặt đường", "photos": [photo((50, 50, 50))]},
    )
    echo("operator reopened it; agency resolved it again")

    final = call("POST", f"{citizen_view}/rating", citizen, {"rating": "satisfied"})
    assert final["status"] == "closed", final
    steps = [entry["action"] for entry in final["timeline"]]
    echo(f"citizen satisfied: {final['status']}; public timeline: {', '.join(steps)}")
    return ref


def http_sender(base_url: str) -> Send:
    """Send requests to a running server with the standard library."""

    def send(
        method: str, path: str, headers: dict[str, str], body: Any, form: dict[str, Any] | None
    ) -> tuple[int, Any]:
        data, content_type = None, None
        if form is not None:
            data, content_type = _multipart(form)
        elif body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(
            base_url + path, data=data, method=method, headers=dict(headers)
        )
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    return send


def _multipart(form: dict[str, Any]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in form.items():
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, bytes):
                head = (
                    f'Content-Disposition: form-data; name="{name}"; '
                    f'filename="{name}{index}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
                )
                parts.append(f"--{boundary}\r\n{head}".encode() + item + b"\r\n")
            else:
                head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
                parts.append(f"--{boundary}\r\n{head}{item}\r\n".encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


if __name__ == "__main__":
    run(http_sender(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"))
