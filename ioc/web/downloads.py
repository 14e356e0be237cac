"""Report exports as streamed downloads, shared by the operations and agency consoles.

Who asks is checked and the export is audited in one short unit of work; the rows then
stream from their own session (a server-side cursor on PostgreSQL) while the response is
being sent, so the first bytes leave at once whatever the size. The stream needs nothing
from the request: what it uses is taken before the response starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from ioc.errors import NotFound
from ioc.extensions import services
from ioc.feedback.models import User
from ioc.feedback.reads.exports import (
    ExportFilter,
    csv_chunks,
    record_export,
    report_rows,
    xlsx_bytes,
)
from ioc.feedback.reads.spreadsheet import MIMETYPE as XLSX_MIMETYPE
from ioc.feedback.states import Role
from ioc.web.figures import ExportQuery
from ioc.web.periods import period
from ioc.web.staff_access import staff_unit_of_work

FORMATS = ("csv", "xlsx")
#: What a view returns: the body as a generator, the status and the headers.
Download = tuple[Iterator[str] | Iterator[bytes], int, dict[str, str]]


def check_format(fmt: str) -> None:
    """Raises: NotFound: a format other than csv or xlsx."""
    if fmt not in FORMATS:
        raise NotFound("unknown export format")


def export_download(
    roles: frozenset[Role],
    fmt: str,
    query: ExportQuery,
    *,
    lead_agency_of: Callable[[User], int] | None = None,
) -> Download:
    """The reports matching ``query`` as a CSV or XLSX attachment, streamed; with
    ``lead_agency_of``, only those the signed-in staff member's agency leads.

    The body is handed back as a generator, not a ``Response``: spectree reads a whole
    ``Response`` to validate it, which would hold the file in memory before the first byte.

    Raises:
        Unauthenticated, Forbidden: see :func:`staff_unit_of_work`.
    """
    check_format(fmt)
    timezone = services().settings.tz
    since, until = period(query.since, query.until, timezone)
    with staff_unit_of_work(roles) as (session, actor):
        criteria = ExportFilter(
            since=since,
            until=until,
            status=query.status,
            category=query.category,
            agency=query.agency,
            channel=query.channel,
            lead_agency_id=lead_agency_of(actor) if lead_agency_of else None,
        )
        record_export(session, actor_id=actor.id, fmt=fmt, criteria=criteria)
    factory = services().session_factory
    name = f"phan-anh-{since.astimezone(timezone):%Y%m%d}-{until.astimezone(timezone):%Y%m%d}"

    def rows(session: Session) -> Iterator[list[str]]:
        return report_rows(session, criteria, timezone)

    if fmt == "csv":

        def text() -> Iterator[str]:
            with factory() as session:
                yield from csv_chunks(rows(session))

        body: Iterator[str] | Iterator[bytes] = text()
    else:

        def binary() -> Iterator[bytes]:
            with factory() as session:
                yield from xlsx_bytes(rows(session))

        body = binary()
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_MIMETYPE
    return (
        body,
        200,
        {
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        },
    )
