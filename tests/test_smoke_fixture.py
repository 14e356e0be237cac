from shapely import box

from tests.factories import feature, make_areas


def test_imported_area_is_located(session, locator):
    make_areas(session, [feature("P", "Tỉnh Thử", box(0, 0, 2, 2))], level="province")
    chain = locator.locate(session, 1, 1)
    assert [area.code for area in chain] == ["P"]


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"]["schema"] == response.json["database"]["schema_expected"]
