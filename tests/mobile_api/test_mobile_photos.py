"""Photos sent with a report: checked by content, stored without metadata, all or nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ioc.events.models import Event
from ioc.feedback.citizen_models import IdempotencyRecord
from ioc.feedback.report_models import Attachment, Report, ReportHistory
from tests.mobile_api.helpers import (
    API,
    OUTSIDE,
    SECRET_MARKERS,
    count,
    encoded,
    files_under,
    jpeg,
    local_path,
    png_header_only,
    report_body,
    submit,
)

POTHOLE = report_body("o_ga", description="Ổ gà sâu giữa đường")


def _photo_urls(body) -> list[str]:
    return [url for photo in body["photos"] for url in (photo["url"], photo["thumbnail_url"])]


def _assert_nothing_stored(session, media_dir) -> None:
    assert count(session, Report) == 0
    assert count(session, Attachment) == 0
    assert count(session, ReportHistory) == 0
    assert count(session, Event) == 0
    assert count(session, IdempotencyRecord) == 0
    assert files_under(media_dir) == []


def test_a_multipart_report_with_photos_is_created_with_a_photo_and_thumbnail_each(
    client, world, session, lan
):
    response = submit(client, lan, POTHOLE, photos=[jpeg(), jpeg((30, 90))])

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending_review"
    assert len(body["photos"]) == 2
    assert all(photo["thumbnail_url"] for photo in body["photos"])
    assert count(session, Attachment) == 2


def test_stored_photos_are_served_as_jpeg(client, world, lan):
    body = submit(client, lan, POTHOLE, photos=[jpeg()]).get_json()

    for url in _photo_urls(body):
        served = client.get(local_path(url))
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        assert Image.open(io.BytesIO(served.data)).format == "JPEG"


def test_served_photo_and_thumbnail_carry_no_exif_gps_comment_or_xmp(client, world, lan):
    raw = jpeg(with_secrets=True)
    assert all(marker in raw for marker in SECRET_MARKERS)

    body = submit(client, lan, POTHOLE, photos=[raw]).get_json()

    for url in _photo_urls(body):
        data = client.get(local_path(url)).data
        assert b"Exif" not in data
        assert not [marker for marker in SECRET_MARKERS if marker in data]
        image = Image.open(io.BytesIO(data))
        assert len(image.getexif()) == 0
        assert not {"exif", "comment", "xmp"} & set(image.info)


def test_no_file_on_disk_keeps_the_photo_metadata(client, world, lan, media_dir):
    submit(client, lan, POTHOLE, photos=[jpeg(with_secrets=True)])

    files = files_under(media_dir)
    assert len(files) == 2  # the photo and its thumbnail, and no temporary file
    for path in files:
        data = path.read_bytes()
        assert b"Exif" not in data
        assert not [marker for marker in SECRET_MARKERS if marker in data]


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted_and_stored_as_jpeg(client, world, lan, image_format):
    body = submit(client, lan, POTHOLE, photos=[encoded(image_format)]).get_json()

    data = client.get(local_path(body["photos"][0]["url"])).data
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_a_photo_is_judged_by_its_content_not_its_name(client, world, session, lan, media_dir):
    response = submit(client, lan, POTHOLE, photos=[encoded("GIF")])  # sent as photo0.jpg

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "photos[0]": "không phải ảnh JPEG, PNG hoặc WebP"
    }
    _assert_nothing_stored(session, media_dir)


def test_a_bad_third_photo_is_named_and_leaves_nothing_behind(
    client, world, session, lan, media_dir
):
    response = submit(client, lan, POTHOLE, photos=[jpeg(), jpeg(), b"this is a text file\n"])

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["photos[2]"]
    _assert_nothing_stored(session, media_dir)


def test_a_refused_report_removes_the_photos_already_written(
    client, world, session, lan, media_dir
):
    """The photos are good and get written; the place is not, so they must go again."""
    response = submit(client, lan, report_body("o_ga", at=OUTSIDE), photos=[jpeg(), jpeg()])

    assert response.status_code == 422
    assert "lon" in response.get_json()["error"]["details"]["fields"]
    _assert_nothing_stored(session, media_dir)


def test_more_than_five_photos_are_refused(client, world, session, lan, media_dir):
    response = submit(client, lan, POTHOLE, photos=[jpeg()] * 6)

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["photos"]
    _assert_nothing_stored(session, media_dir)


def test_five_photos_are_accepted(client, world, lan):
    response = submit(client, lan, POTHOLE, photos=[jpeg()] * 5)

    assert response.status_code == 201
    assert len(response.get_json()["photos"]) == 5


def test_a_photo_over_10_mb_is_refused(client, world, session, lan, media_dir):
    too_big = jpeg() + b"\x00" * (10 * 1024 * 1024)

    response = submit(client, lan, POTHOLE, photos=[too_big])

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"photos[0]": "lớn hơn 10 MB"}
    _assert_nothing_stored(session, media_dir)


def test_a_photo_with_too_many_pixels_is_refused(client, world, session, lan, media_dir):
    response = submit(client, lan, POTHOLE, photos=[png_header_only(8000, 6000)])

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "photos[0]": "ảnh có quá nhiều điểm ảnh"
    }
    _assert_nothing_stored(session, media_dir)


def test_an_empty_photo_is_refused(client, world, session, lan, media_dir):
    response = submit(client, lan, POTHOLE, photos=[b""])

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {"photos[0]": "tệp rỗng"}
    _assert_nothing_stored(session, media_dir)


def test_a_multipart_body_without_the_report_part_is_refused(
    client, world, session, lan, media_dir
):
    response = client.post(
        f"{API}/reports",
        data={"photos": [(io.BytesIO(jpeg()), "a.jpg")]},
        headers={**lan.headers, "Idempotency-Key": "k-1"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["report"]
    _assert_nothing_stored(session, media_dir)


def test_a_report_part_that_is_not_json_is_refused_naming_the_report_part(client, world, lan):
    response = client.post(
        f"{API}/reports",
        data={"report": '{"category": "o_ga",'},
        headers={**lan.headers, "Idempotency-Key": "k-1"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["report"]


def test_a_bad_field_in_the_report_part_is_named_inside_the_report_part(client, world, lan):
    response = submit(client, lan, {"category": "o_ga", "lat": 16.05}, photos=[jpeg()])

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["report.lon"]


def test_retry_with_the_same_photos_returns_the_first_answer_and_stores_nothing_more(
    client, world, session, lan, media_dir
):
    photos = [jpeg(), jpeg((30, 90))]
    first = submit(client, lan, POTHOLE, key="with-photos", photos=photos)
    files = sorted(files_under(media_dir))

    retry = submit(client, lan, POTHOLE, key="with-photos", photos=photos)

    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert sorted(files_under(media_dir)) == files
    assert (count(session, Report), count(session, Attachment)) == (1, 2)


def test_same_key_with_a_different_photo_is_refused(client, world, session, lan, media_dir):
    submit(client, lan, POTHOLE, key="with-photos", photos=[jpeg()])
    files = sorted(files_under(media_dir))

    response = submit(client, lan, POTHOLE, key="with-photos", photos=[jpeg((30, 90))])

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["Idempotency-Key"]
    assert sorted(files_under(media_dir)) == files
    assert (count(session, Report), count(session, Attachment)) == (1, 1)


def test_a_39_megapixel_png_in_a_tiny_body_is_refused_naming_the_photo(
    client, world, session, lan, media_dir
):
    response = submit(client, lan, POTHOLE, photos=[jpeg(), png_header_only(7280, 5456)])

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "photos[1]": "ảnh có quá nhiều điểm ảnh"
    }
    _assert_nothing_stored(session, media_dir)
