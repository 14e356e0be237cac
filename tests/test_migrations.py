"""The Alembic migrations build, from an empty database, exactly the schema the models declare."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from ioc.db import make_engine
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE, parse_policy_text
from ioc.migrate import alembic_config, current_revision, head_revision, include_object, upgrade
from ioc.models import Base
from tests.conftest import BACKENDS, throwaway_postgis_database


@pytest.fixture
def throwaway_postgis() -> Iterator[Engine]:
    """A brand-new PostgreSQL database, dropped again after the test."""
    with throwaway_postgis_database("ioc_mig") as engine:
        yield engine


@pytest.fixture
def throwaway_sqlite(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest) -> Engine:
    """An empty database, once per backend."""
    return request.getfixturevalue(f"throwaway_{request.param}")


def _schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, Base.metadata)


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}


def test_upgrade_from_empty_reaches_the_head_revision(empty_engine):
    upgrade(empty_engine)
    assert head_revision() is not None
    assert current_revision(empty_engine) == head_revision()


def test_upgrade_creates_every_table_of_the_models(empty_engine):
    upgrade(empty_engine)
    assert _tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}


def test_migrated_schema_matches_the_models(empty_engine):
    upgrade(empty_engine)
    assert _schema_differences(empty_engine) == []


def test_downgrade_to_base_removes_every_table(empty_engine):
    upgrade(empty_engine)
    _downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert _tables(empty_engine) <= {"alembic_version"}


def test_upgrade_after_downgrade_to_base_rebuilds_the_schema(empty_engine):
    upgrade(empty_engine)
    _downgrade(empty_engine, "base")
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _schema_differences(empty_engine) == []


@pytest.mark.postgis
def test_area_geometry_is_a_multipolygon_in_wgs84_on_postgis(throwaway_postgis):
    upgrade(throwaway_postgis)
    with throwaway_postgis.connect() as connection:
        row = connection.execute(
            text(
                "SELECT type, srid, coord_dimension FROM geometry_columns "
                "WHERE f_table_name = 'area' AND f_geometry_column = 'geom'"
            )
        ).one()
    assert tuple(row) == ("MULTIPOLYGON", 4326, 2)


@pytest.mark.postgis
def test_area_geometry_has_a_gist_index_on_postgis(throwaway_postgis):
    upgrade(throwaway_postgis)
    with throwaway_postgis.connect() as connection:
        definitions = connection.scalars(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'area'")
        ).all()
    gist = [d for d in definitions if "USING gist" in d]
    assert len(gist) == 1
    assert gist[0].endswith("USING gist (geom)")


def test_altering_the_report_table_on_sqlite_keeps_the_rows_that_refer_to_it(tmp_path):
    """SQLite alters tables by copying them; the copy must not cascade-delete history."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0003")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO category_group (code, name_vi, sort_order) VALUES ('g', 'Nhóm', 0)",
            "INSERT INTO category (code, group_id, name_vi, attributes, sla_tier,"
            " sla_target_hours, duplicate_radius_m, is_auto_dispatch, is_private,"
            " is_photo_required, is_active, sort_order)"
            " VALUES ('c', 1, 'Lĩnh vực', '[]', 'normal', 24, 50, 0, 0, 0, 1, 0)",
            "INSERT INTO report (ref, category_id, status, sla_tier, lon, lat, cell_x, cell_y,"
            " attributes, channel, support_count, received_at, updated_at, version)"
            " VALUES ('PA2501-AAAAAA', 1, 'pending_review', 'normal', 108, 16, 1, 1, '{}',"
            " 'web', 0, '2025-01-01', '2025-01-01', 1)",
            "INSERT INTO report_history (report_id, occurred_at, action, is_public)"
            " VALUES (1, '2025-01-01', 'submitted', 1)",
        ):
            connection.execute(text(statement))

    upgrade(engine)

    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM report_history")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_upgrading_counts_existing_reports_in_the_daily_figures(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0008")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO category_group (code, name_vi, sort_order) VALUES ('g', 'Nhóm', 0)",
            "INSERT INTO category (code, group_id, name_vi, attributes, sla_tier,"
            " sla_target_hours, duplicate_radius_m, is_auto_dispatch, is_private,"
            " is_photo_required, is_active, sort_order)"
            " VALUES ('c', 1, 'Lĩnh vực', '[]', 'normal', 24, 50, 0, 0, 0, 1, 0)",
            # Received 23:30 UTC on 31 December: 1 January in Vietnam; verified, then
            # assigned after its receipt deadline.
            "INSERT INTO report (ref, category_id, status, sla_tier, lon, lat, cell_x, cell_y,"
            " attributes, channel, support_count, received_at, receipt_due_at, updated_at,"
            " version, paused_hours)"
            " VALUES ('PA2501-AAAAAA', 1, 'assigned', 'normal', 108, 16, 1, 1, '{}',"
            " 'web', 0, '2024-12-31 23:30:00', '2025-01-02 02:00:00', '2025-01-03', 1, 0)",
            "INSERT INTO report_history (report_id, occurred_at, action, from_status,"
            " to_status, is_public) VALUES"
            " (1, '2024-12-31 23:30:00', 'submitted', NULL, 'pending_review', 1),"
            " (1, '2025-01-01 01:00:00', 'verify', 'pending_review', 'pending_review', 0),"
            " (1, '2025-01-03 01:00:00', 'assign', 'pending_review', 'assigned', 1)",
        ):
            connection.execute(text(statement))

    upgrade(engine)

    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT day, received, verified, assigned, receipt_on_time, receipt_late"
                " FROM report_figure"
            )
        ).one()
    assert tuple(row) == ("2025-01-01", 1, 1, 1, 0, 1)
    engine.dispose()


def test_upgrading_adds_the_daily_figures_up_per_month(empty_engine):
    upgrade(empty_engine, "0011")
    counters = (
        "received, verified, assigned, rejected, resolved, resolved_on_time, resolved_late,"
        " reopened, rated_satisfied, rated_acceptable, rated_unsatisfied, receipt_on_time,"
        " receipt_late, returned, returned_seconds, handling_seconds"
    )
    zeros = ", ".join("0" for _ in range(13))
    with empty_engine.begin() as connection:
        for day, agency_id, received, returned_seconds in (
            ("2025-01-01", 1, 2, 60),
            ("2025-01-31", 1, 3, 7_200_000_000),  # beyond a 32-bit integer once added up
            ("2025-01-31", 2, 1, 0),
            ("2025-02-01", 1, 4, 5),
        ):
            connection.execute(
                text(
                    f"INSERT INTO report_figure (day, agency_id, category_id, area_id, channel,"
                    f" {counters}) VALUES ('{day}', {agency_id}, 1, 0, 'web', {received},"
                    f" {zeros}, {returned_seconds}, 0)"
                )
            )
        connection.execute(
            text(
                "INSERT INTO report_handling_bucket (day, agency_id, category_id, area_id,"
                " channel, bucket, count) VALUES ('2025-01-02', 1, 1, 0, 'web', 3, 2),"
                " ('2025-01-30', 1, 1, 0, 'web', 3, 1), ('2025-01-30', 1, 1, 0, 'web', 4, 1)"
            )
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        figures = connection.execute(
            text(
                "SELECT month, agency_id, received, returned_seconds FROM report_figure_month"
                " ORDER BY month, agency_id"
            )
        ).all()
        buckets = connection.execute(
            text("SELECT month, bucket, count FROM report_handling_bucket_month ORDER BY bucket")
        ).all()
    assert [(str(m), a, r, s) for m, a, r, s in figures] == [
        ("2025-01-01", 1, 5, 7_200_000_060),
        ("2025-01-01", 2, 1, 0),
        ("2025-02-01", 1, 4, 5),
    ]
    assert [(str(m), b, c) for m, b, c in buckets] == [("2025-01-01", 3, 3), ("2025-01-01", 4, 1)]


def test_upgrading_adds_the_monthly_figures_up_per_dimension(empty_engine):
    upgrade(empty_engine, "0012")
    counters = (
        "received, verified, assigned, rejected, resolved, resolved_on_time, resolved_late,"
        " reopened, rated_satisfied, rated_acceptable, rated_unsatisfied, receipt_on_time,"
        " receipt_late, returned, returned_seconds, handling_seconds"
    )
    zeros = ", ".join("0" for _ in range(13))
    keys = "month, agency_id, category_id, area_id, channel"
    with empty_engine.begin() as connection:
        for month, agency_id, category_id, area_id, channel, received, seconds in (
            ("2025-01-01", 0, 1, 0, "web", 2, 60),
            ("2025-01-01", 1, 1, 7, "web", 3, 7_200_000_000),
            ("2025-01-01", 1, 2, 7, "zalo", 1, 0),
            ("2025-02-01", 1, 2, 0, "web", 4, 5),
        ):
            connection.execute(
                text(
                    f"INSERT INTO report_figure_month ({keys}, {counters}) VALUES ('{month}',"
                    f" {agency_id}, {category_id}, {area_id}, '{channel}', {received},"
                    f" {zeros}, {seconds}, 0)"
                )
            )
        connection.execute(
            text(
                f"INSERT INTO report_handling_bucket_month ({keys}, bucket, count) VALUES"
                " ('2025-01-01', 1, 1, 7, 'web', 3, 2), ('2025-01-01', 1, 2, 7, 'zalo', 3, 1),"
                " ('2025-01-01', 0, 1, 0, 'web', 4, 1)"
            )
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        figures = connection.execute(
            text(
                "SELECT month, dimension, group_key, received, returned_seconds"
                " FROM report_figure_month_total"
            )
        ).all()
        buckets = connection.execute(
            text(
                "SELECT month, dimension, group_key, bucket, count"
                " FROM report_handling_bucket_month_total"
            )
        ).all()
    assert sorted((str(m), d, k, r, s) for m, d, k, r, s in figures) == [
        ("2025-01-01", "agency", "0", 2, 60),
        ("2025-01-01", "agency", "1", 4, 7_200_000_000),
        ("2025-01-01", "area", "0", 2, 60),
        ("2025-01-01", "area", "7", 4, 7_200_000_000),
        ("2025-01-01", "category", "1", 5, 7_200_000_060),
        ("2025-01-01", "category", "2", 1, 0),
        ("2025-01-01", "channel", "web", 5, 7_200_000_060),
        ("2025-01-01", "channel", "zalo", 1, 0),
        ("2025-02-01", "agency", "1", 4, 5),
        ("2025-02-01", "area", "0", 4, 5),
        ("2025-02-01", "category", "2", 4, 5),
        ("2025-02-01", "channel", "web", 4, 5),
    ]
    assert sorted((str(m), d, k, b, c) for m, d, k, b, c in buckets) == [
        ("2025-01-01", "agency", "0", 4, 1),
        ("2025-01-01", "agency", "1", 3, 3),
        ("2025-01-01", "area", "0", 4, 1),
        ("2025-01-01", "area", "7", 3, 3),
        ("2025-01-01", "category", "1", 3, 2),
        ("2025-01-01", "category", "1", 4, 1),
        ("2025-01-01", "category", "2", 3, 1),
        ("2025-01-01", "channel", "web", 3, 2),
        ("2025-01-01", "channel", "web", 4, 1),
        ("2025-01-01", "channel", "zalo", 3, 1),
    ]


def test_upgrading_gives_a_stored_policy_the_supporting_share(empty_engine):
    upgrade(empty_engine, "0014")
    shipped = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    older = shipped[: shipped.index("# Phối hợp")]
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO province_profile (id, code, name_vi, time_zone, sla_policy_toml,"
                " revision, updated_at)"
                " VALUES (1, 'P', 'Tỉnh', 'Asia/Ho_Chi_Minh', :policy, 3, '2026-01-01')"
            ),
            {"policy": older},
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        stored, revision = connection.execute(
            text("SELECT sla_policy_toml, revision FROM province_profile")
        ).one()
    assert parse_policy_text(stored, source="stored").supporting.share_of_resolution == 0.5
    assert revision == 4


def test_upgrading_counts_the_reports_granted_an_extension_in_every_figure_tier(empty_engine):
    upgrade(empty_engine, "0016")
    counters = (
        "received, verified, assigned, rejected, resolved, resolved_on_time, resolved_late,"
        " reopened, rated_satisfied, rated_acceptable, rated_unsatisfied, receipt_on_time,"
        " receipt_late, returned, returned_seconds, handling_seconds"
    )
    zeros = ", ".join("0" for _ in range(15))
    with empty_engine.begin() as connection:
        for statement in (
            "INSERT INTO category_group (code, name_vi, sort_order) VALUES ('g', 'Nhóm', 0)",
            "INSERT INTO category (code, group_id, name_vi, attributes, sla_tier,"
            " sla_target_hours, duplicate_radius_m, is_auto_dispatch, is_private,"
            " is_photo_required, is_active, sort_order)"
            " VALUES ('c', 1, 'Lĩnh vực', '[]', 'normal', 24, 50, false, false, false, true, 0)",
            "INSERT INTO user_account (role, username, locale, is_active, created_at)"
            " VALUES ('agency_officer', 'sxd.canbo', 'vi', true, '2025-01-01')",
            # Two reports of 31 January (one granted two extensions, one denied its only
            # request) and one of 1 February granted one.
            *(
                "INSERT INTO report (ref, category_id, status, sla_tier, lon, lat, cell_x,"
                " cell_y, attributes, channel, support_count, received_at, received_on,"
                f" updated_at, version, paused_hours) VALUES ('PA2501-AAAAA{n}', 1,"
                f" 'in_progress', 'normal', 108, 16, 1, 1, '{{}}', 'web', 0, '{day} 03:00:00',"
                f" '{day}', '{day}', 1, 0)"
                for n, day in ((1, "2025-01-31"), (2, "2025-01-31"), (3, "2025-02-01"))
            ),
            *(
                "INSERT INTO extension_request (report_id, requested_by_id, requested_at, until,"
                f" reason, decision) VALUES ({report_id}, 1, '2025-02-02', '2025-02-10',"
                f" 'Chờ vật tư', '{decision}')"
                for report_id, decision in (
                    (1, "approved"),
                    (1, "approved"),
                    (2, "denied"),
                    (3, "approved"),
                )
            ),
            "INSERT INTO report_figure (day, agency_id, category_id, area_id, channel,"
            f" {counters}) VALUES ('2025-01-31', 0, 1, 0, 'web', 2, {zeros}),"
            f" ('2025-02-01', 0, 1, 0, 'web', 1, {zeros})",
            "INSERT INTO report_figure_month (month, agency_id, category_id, area_id, channel,"
            f" {counters}) VALUES ('2025-01-01', 0, 1, 0, 'web', 2, {zeros}),"
            f" ('2025-02-01', 0, 1, 0, 'web', 1, {zeros})",
            *(
                f"INSERT INTO report_figure_month_total (month, dimension, group_key, {counters})"
                f" VALUES ('{month}', '{dimension}', '{key}', {received}, {zeros})"
                for month, received in (("2025-01-01", 2), ("2025-02-01", 1))
                for dimension, key in (
                    ("agency", "0"),
                    ("category", "1"),
                    ("area", "0"),
                    ("channel", "web"),
                )
            ),
        ):
            connection.execute(text(statement))

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        counts = connection.execute(text("SELECT extension_count FROM report ORDER BY id")).all()
        days = connection.execute(text("SELECT day, extended FROM report_figure")).all()
        months = connection.execute(text("SELECT month, extended FROM report_figure_month")).all()
        totals = connection.execute(
            text("SELECT month, dimension, group_key, extended FROM report_figure_month_total")
        ).all()
    assert [n for (n,) in counts] == [2, 0, 1]
    assert sorted((str(d), n) for d, n in days) == [("2025-01-31", 1), ("2025-02-01", 1)]
    assert sorted((str(m), n) for m, n in months) == [("2025-01-01", 1), ("2025-02-01", 1)]
    assert sorted((str(m), d, k, n) for m, d, k, n in totals) == sorted(
        (month, dimension, key, 1)
        for month in ("2025-01-01", "2025-02-01")
        for dimension, key in (
            ("agency", "0"),
            ("category", "1"),
            ("area", "0"),
            ("channel", "web"),
        )
    )


def test_upgrading_starts_each_event_mark_before_the_oldest_event_not_yet_passed_on(
    empty_engine,
):
    upgrade(empty_engine, "0029")
    # Published in order up to 3; the fan-out of two workers at once left 2 behind 3.
    marked = {1: ("p", "d"), 2: ("p", None), 3: ("p", "d"), 4: (None, "d"), 5: (None, None)}
    with empty_engine.begin() as connection:
        for seq, (published, dispatched) in marked.items():
            connection.execute(
                text(
                    "INSERT INTO event (seq, type, occurred_at, payload, audiences,"
                    " published_at, dispatched_at) VALUES (:seq, 'report.created',"
                    " '2026-12-01 08:00:00', '{}', '[\"ops\"]', :published, :dispatched)"
                ),
                {
                    "seq": seq,
                    "published": published and "2026-12-01 08:00:01",
                    "dispatched": dispatched and "2026-12-01 08:00:02",
                },
            )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        marks = dict(connection.execute(text("SELECT name, seq FROM event_mark")).all())
    # Nothing skipped: event 4 is published after the upgrade, 2 to 5 are fanned out again.
    assert marks == {"published": 3, "dispatched": 1}


def test_upgrading_a_log_passed_on_entirely_marks_its_last_event(empty_engine):
    upgrade(empty_engine, "0029")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (seq, type, occurred_at, payload, audiences, published_at,"
                " dispatched_at) VALUES (7, 'report.created', '2026-12-01 08:00:00', '{}',"
                " '[\"ops\"]', '2026-12-01 08:00:01', '2026-12-01 08:00:02')"
            )
        )

    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        marks = dict(connection.execute(text("SELECT name, seq FROM event_mark")).all())
    assert marks == {"published": 7, "dispatched": 7}
