"""The public portal on a phone: find a resolved demo report by its reference, open it, see the
agency's answer and the after photo, and nowhere (page or public API) anything that names a
reporter of the demo."""

from __future__ import annotations

import io
import json

from PIL import Image
from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.models import User
from tests.browser.conftest import PHONE

ANSWER = "Đã thay bóng đèn LED mới tại cột số 12"
#: The name the browser tests' citizen signs in with (tests/browser/conftest.py).
CITIZEN_NAME = "Công dân thử"


def _resolved_with_after_photo(live_server, page) -> str:
    ref = live_server.submit_report(description="Đèn đường trước nhà văn hoá không sáng")
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})
    live_server.staff("sxd.canbo", "POST", f"/api/agency/v1/reports/{ref}/accept", {})
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, format="JPEG")
    answer = page.request.post(
        f"{live_server.base_url}/api/agency/v1/reports/{ref}/resolve",
        headers={"Authorization": f"Bearer {live_server.staff_token('sxd.canbo')}"},
        multipart={
            "answer": ANSWER,
            "photos": {"name": "sau.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()},
        },
    )
    assert answer.ok, answer.text()
    return ref


def _reporters(database_url: str) -> set[str]:
    """Names and phones of every citizen the demo database knows."""
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            people = session.scalars(select(User).where(User.role == "citizen")).all()
            found = {p.display_name for p in people} | {p.phone for p in people}
    finally:
        engine.dispose()
    return {value for value in found if value} | {CITIZEN_NAME}


def test_a_resolved_report_is_found_by_reference_and_shows_the_answer_and_photo(
    open_page, live_server
):
    phone = open_page(**PHONE)
    ref = _resolved_with_after_photo(live_server, phone)
    seen_api: list[str] = []
    phone.on(
        "response",
        lambda response: (
            seen_api.append(response.text())
            if "/api/public/" in response.url
            and response.ok
            and "json" in (response.headers.get("content-type") or "")
            else None
        ),
    )

    phone.goto("/public")
    phone.get_by_label("Mã phản ánh").fill(ref)
    phone.get_by_role("button", name="Tìm").click()

    detail = phone.locator(f'[data-role=detail][data-ref="{ref}"]')
    detail.wait_for()
    assert detail.locator("[data-role=answer]").inner_text() == ANSWER
    after = detail.get_by_role("heading", name="Ảnh sau xử lý").locator("xpath=..").locator("img")
    after.first.scroll_into_view_if_needed()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=after.first.element_handle()
    )
    assert f"ref={ref}" in phone.url

    # A deep link opens the same result.
    phone.goto(f"/public?ref={ref}")
    phone.locator(f'[data-role=detail][data-ref="{ref}"] [data-role=answer]').wait_for()
    phone.wait_for_load_state("networkidle")

    text = phone.locator("body").inner_text()
    answers = "\n".join(seen_api)
    assert seen_api
    for secret in _reporters(live_server.database_url):
        assert secret not in text, secret
        assert secret not in answers, secret
        assert json.dumps(secret)[1:-1] not in answers, secret
