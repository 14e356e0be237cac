"""GET categories: what a citizen can report, in their language."""

from __future__ import annotations

from tests.mobile_api.helpers import API


def test_lists_the_active_categories_in_their_order(client, world):
    response = client.get(f"{API}/categories")

    assert response.status_code == 200
    codes = [item["code"] for item in response.get_json()["items"]]
    assert codes == ["den_duong", "o_ga", "cay_xanh", "an_ninh"]


def test_an_inactive_category_is_not_offered(client, world):
    items = client.get(f"{API}/categories").get_json()["items"]

    assert "da_ngung" not in {item["code"] for item in items}


def test_a_category_says_whether_it_needs_a_photo_and_its_duplicate_radius(client, world):
    items = {item["code"]: item for item in client.get(f"{API}/categories").get_json()["items"]}

    assert items["o_ga"]["photo_required"] is True
    assert items["den_duong"]["photo_required"] is False
    assert items["den_duong"]["duplicate_radius_m"] == 50
    assert items["den_duong"]["group"] == {"code": "test", "name": "Nhóm thử"}


def test_names_and_attributes_are_vietnamese_by_default(client, world):
    items = {item["code"]: item for item in client.get(f"{API}/categories").get_json()["items"]}

    assert items["den_duong"]["name"] == "Đèn đường"
    kind = items["cay_xanh"]["attributes"][0]
    assert kind == {
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "Loại sự cố",
        "order": 1,
        "values": [{"key": "fallen", "name": "Cây đổ"}, {"key": "leaning", "name": "Cây nghiêng"}],
    }


def test_names_and_attributes_are_english_with_accept_language_en(client, world):
    response = client.get(f"{API}/categories", headers={"Accept-Language": "en"})

    items = {item["code"]: item for item in response.get_json()["items"]}
    assert items["den_duong"]["name"] == "Street lights"
    kind = items["cay_xanh"]["attributes"][0]
    assert kind["description"] == "Kind of problem"
    assert [value["name"] for value in kind["values"]] == ["Fallen tree", "Leaning tree"]


def test_a_name_without_an_english_translation_stays_vietnamese(client, world):
    response = client.get(f"{API}/categories", headers={"Accept-Language": "en"})

    items = {item["code"]: item for item in response.get_json()["items"]}
    assert items["an_ninh"]["name"] == "An ninh trật tự"
