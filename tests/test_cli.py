"""The ``ioc`` command line on a SQLite file (the servers, which block, are not run here)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner, Result

from ioc.app import create_app
from ioc.cli import main
from ioc.migrate import head_revision


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    """A clean IOC_* environment pointing at a fresh SQLite file (None unsets a variable)."""
    clean: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IOC_")}
    clean["FIREBASE_AUTH_EMULATOR_HOST"] = None
    clean["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    return clean


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_db_upgrade_prints_the_schema_revision(env):
    result = _run(env, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"database at schema {head_revision()}"


def test_db_upgrade_creates_the_folder_of_the_sqlite_file(env, tmp_path):
    env["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'nested' / 'ioc.sqlite3'}"

    result = _run(env, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "nested" / "ioc.sqlite3").is_file()


def test_seed_demo_loads_the_province_once_and_a_second_run_changes_nothing(env):
    _run(env, "db", "upgrade")

    first = _run(env, "seed", "demo")
    second = _run(env, "seed", "demo")

    assert first.exit_code == 0, first.output
    assert first.output.startswith("demo province loaded:")
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "the demo province is already loaded; nothing changed"


def test_bad_configuration_is_a_clean_error_not_a_traceback(env):
    env["IOC_ENV"] = "production"

    result = _run(env, "db", "upgrade")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "refusing to start in production" in result.output
    assert "IOC_SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def test_malformed_setting_is_a_clean_error_naming_the_variable(env):
    env["IOC_TIMEZONE"] = "Asia/Khong_Co"

    result = _run(env, "seed", "demo")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "IOC_TIMEZONE" in result.output
    assert "Traceback" not in result.output


def test_users_create_reads_the_password_from_stdin_and_the_account_can_sign_in(env):
    _run(env, "db", "upgrade")

    result = CliRunner().invoke(
        main,
        ["users", "create", "giamsat2", "--role", "ioc_supervisor", "--name", "Phạm Văn Bình"],
        env=env,
        input="mat-khau-giam-sat\n",
    )

    assert result.exit_code == 0, result.output
    assert "created ioc_supervisor giamsat2" in result.output
    app = create_app({"database_url": env["IOC_DATABASE_URL"]})
    login = app.test_client().post(
        "/api/auth/login", json={"username": "giamsat2", "password": "mat-khau-giam-sat"}
    )
    assert login.status_code == 200
    assert login.get_json()["user"]["display_name"] == "Phạm Văn Bình"


def test_users_create_explains_a_refused_account(env):
    _run(env, "db", "upgrade")

    result = CliRunner().invoke(
        main,
        ["users", "create", "canbo", "--role", "agency_officer"],
        env=env,
        input="mat-khau-1\n",
    )

    assert result.exit_code != 0
    assert "agency roles need an existing agency" in result.output


def test_users_disable_reset_and_list(env):
    _run(env, "db", "upgrade")
    for username, role in (("quantri", "admin"), ("dieuhanh", "ioc_operator")):
        CliRunner().invoke(
            main, ["users", "create", username, "--role", role], env=env, input="mat-khau-dai-1\n"
        )

    disabled = CliRunner().invoke(main, ["users", "disable", "dieuhanh"], env=env)
    last_admin = CliRunner().invoke(main, ["users", "disable", "quantri"], env=env)
    reset = CliRunner().invoke(
        main,
        ["users", "reset-password", "quantri"],
        env={**env, "IOC_PUBLIC_URL": "https://ioc.vn/"},
    )
    listed = CliRunner().invoke(main, ["users", "list"], env=env)

    assert disabled.exit_code == 0, disabled.output
    assert last_admin.exit_code != 0
    assert "last active administrator" in last_admin.output
    assert reset.output.startswith("https://ioc.vn/set-password?token=")
    assert "dieuhanh\tioc_operator\t-\tdisabled" in listed.output
    enabled = CliRunner().invoke(main, ["users", "enable", "dieuhanh"], env=env)
    assert "enabled dieuhanh" in enabled.output


def test_sla_sweep_escalates_an_overdue_report_but_never_a_paused_one(env):
    import random
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine
    from sqlalchemy import select

    from ioc.demo.progress import OPERATOR
    from ioc.demo.simulator import Spot, simulate_report
    from ioc.extensions import services
    from ioc.feedback.lifecycle.questions import ask_citizen
    from ioc.feedback.models import User
    from ioc.feedback.report_models import Report, ReportHistory

    _run(env, "db", "upgrade")
    _run(env, "seed", "demo")
    filed_at = datetime(2026, 3, 11, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    app = create_app({"env": "test", "database_url": env["IOC_DATABASE_URL"]})
    with (
        time_machine.travel(filed_at, tick=False),
        app.app_context(),
        services().unit_of_work() as session,
    ):
        citizen = User(role="citizen", firebase_uid="cli-sweep", display_name="Lan")
        session.add(citizen)
        session.flush()
        # Two neighbours' reports of a normal-tier problem left to the IOC: an
        # 8-working-hour receipt clock each.
        rng = random.Random(11)
        running = simulate_report(session, services().intake, rng)
        while (running.status, running.sla_tier) != ("pending_review", "normal"):
            running = simulate_report(session, services().intake, rng)
        spot = Spot(running.category.code, running.lon, running.lat, running.address)
        paused = simulate_report(session, services().intake, rng, near=spot)
        running.reporter_id = paused.reporter_id = citizen.id
        session.flush()
        operator = session.scalars(select(User).where(User.username == OPERATOR)).one()
        ask_citizen(session, report=paused, actor=operator, question="Ở số nhà nào?")
        refs = running.ref, paused.ref

    # Friday 09:00: the receipt deadline (Thursday 09:30) has passed, the pause limit of 40
    # working hours (Thursday of the next week) has not.
    with time_machine.travel(filed_at + timedelta(days=2), tick=False):
        result = _run(env, "sla", "sweep")

    assert result.exit_code == 0, result.output
    with app.app_context(), services().unit_of_work() as session:
        escalated = {
            ref: session.scalar(
                select(ReportHistory.id)
                .join(Report)
                .where(Report.ref == ref, ReportHistory.action == "escalated")
            )
            is not None
            for ref in refs
        }
        waiting = session.scalars(select(Report).where(Report.ref == refs[1])).one()
        assert (waiting.paused_at, waiting.overdue_announced_at) != (None, None)
        assert waiting.overdue_announced_at is None
    assert escalated == {refs[0]: True, refs[1]: False}
    assert "overdue and escalated" in result.output


def test_rollups_rebuild_recounts_the_figures_after_a_bulk_load(env):
    import random

    from sqlalchemy import delete, func, select

    from ioc.demo.simulator import simulate_report
    from ioc.extensions import services
    from ioc.feedback.reads.figure_rollups import (
        ReportFigure,
        ReportFigureMonth,
        ReportFigureMonthTotal,
        ReportFigureWeek,
    )
    from ioc.feedback.reads.hotspots import ReportCellWeek
    from ioc.feedback.reads.rollups import ReportCellCount
    from ioc.feedback.report_models import Report

    _run(env, "db", "upgrade")
    _run(env, "seed", "demo")
    app = create_app({"env": "test", "database_url": env["IOC_DATABASE_URL"]})
    with app.app_context(), services().unit_of_work() as session:
        rng = random.Random(3)
        for _ in range(5):
            simulate_report(session, services().intake, rng)
    with app.app_context(), services().unit_of_work() as session:
        # What a loader writing rows directly leaves behind: counts that are not there.
        session.execute(delete(ReportFigure))
        session.execute(delete(ReportFigureMonth))
        session.execute(delete(ReportFigureMonthTotal))
        session.execute(delete(ReportCellCount))
        session.execute(delete(ReportFigureWeek))
        session.execute(delete(ReportCellWeek))

    result = _run(env, "rollups", "rebuild")

    assert result.exit_code == 0, result.output
    assert "figure rows" in result.output
    with app.app_context(), services().unit_of_work() as session:
        reports = session.scalar(select(func.count(Report.id)))
        assert session.scalar(select(func.sum(ReportFigure.received))) == reports
        assert session.scalar(select(func.sum(ReportFigureMonth.received))) == reports
        for dimension in ("agency", "category", "area", "channel"):
            total = select(func.sum(ReportFigureMonthTotal.received)).where(
                ReportFigureMonthTotal.dimension == dimension
            )
            assert session.scalar(total) == reports
        assert session.scalar(select(func.sum(ReportCellCount.count))) == reports
        assert session.scalar(select(func.sum(ReportFigureWeek.received))) == reports
        assert session.scalar(select(func.sum(ReportCellWeek.count))) == reports


def test_report_monthly_writes_a_workbook_whose_totals_equal_the_statistics_api(env, tmp_path):
    import random
    from datetime import timedelta

    import openpyxl

    from ioc.db import utcnow
    from ioc.demo.progress import advance_one
    from ioc.demo.seed import DEMO_ACCOUNTS
    from ioc.demo.simulator import simulate_report
    from ioc.extensions import services
    from ioc.feedback.people.staff_sessions import sign_in

    _run(env, "db", "upgrade")
    _run(env, "seed", "demo")
    app = create_app({"env": "test", "database_url": env["IOC_DATABASE_URL"]})
    rng = random.Random(17)
    with app.app_context():
        with services().unit_of_work() as session:
            for _ in range(30):
                simulate_report(session, services().intake, rng)
        for _ in range(60):
            advance_one(services(), rng)
        with services().unit_of_work() as session:
            account = next(a for a in DEMO_ACCOUNTS if a.role == "ioc_supervisor")
            token = sign_in(session, username=account.username, password=account.password).token
    month = utcnow().astimezone(services_timezone(app)).date().replace(day=1)
    end = (month + timedelta(days=32)).replace(day=1)
    output = tmp_path / "thang.xlsx"

    result = _run(env, "report", "monthly", "--month", f"{month:%Y-%m}", "--output", str(output))

    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(output, read_only=True)
    summary = {
        row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(min_row=4, values_only=True)
    }
    by_agency = list(workbook["Kết quả theo cơ quan"].iter_rows(min_row=4, values_only=True))
    statistics = {}
    for group_by in ("channel", "agency", "category"):
        answer = app.test_client().get(
            f"/api/ops/v1/statistics?group_by={group_by}&since={month}&until={end}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
        statistics[group_by] = answer.get_json()["items"]
    channels = statistics["channel"]
    assert summary["Tiếp nhận"] == sum(i["received"] for i in channels) == 30
    assert summary["Đã xử lý"] == sum(i["resolved"] for i in channels)
    assert summary["Trễ hạn"] == sum(i["resolved_late"] for i in channels)
    assert summary["Đang quá hạn"] == sum(i["overdue_now"] for i in channels)
    assert summary["Được gia hạn"] == sum(i["extended"] for i in channels)
    assert [(r[0], r[1], r[2]) for r in by_agency] == [
        (i["name"], i["received"], i["resolved"]) for i in statistics["agency"]
    ]
    categories = list(workbook["Theo lĩnh vực"].iter_rows(min_row=4, values_only=True))
    assert sum(r[1] for r in categories[:-1]) == categories[-1][1] == 30
    assert len(categories) - 1 == len(statistics["category"])


def test_report_monthly_refuses_a_month_that_is_not_one(env):
    result = _run(env, "report", "monthly", "--month", "2026-13")

    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def services_timezone(app):
    return app.extensions["ioc"].settings.tz
