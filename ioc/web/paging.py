"""The query parameters every paged list takes (``cursor`` and ``limit``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ioc.feedback.reads.paging import MAX_PAGE_SIZE, PAGE_SIZE


class PagingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(
        default=None,
        max_length=512,
        description="The `next_cursor` of the previous page; omit for the first page",
    )
    limit: int = Field(default=PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page")
