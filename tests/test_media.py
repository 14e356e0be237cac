"""Media files live under the media root and are written all or nothing."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from ioc.db import unit_of_work
from ioc.errors import InvalidInput, NotFound
from ioc.media import MediaStore


class CommitFailed(Exception):
    pass


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def files_under(root: Path) -> list[Path]:
    """Every file in the tree, temporary or hidden ones included."""
    return [path for path in root.rglob("*") if not path.is_dir()] if root.exists() else []


def test_put_stores_the_bytes_under_a_year_month_key(store):
    before = datetime.now(UTC)
    with store.staged() as batch:
        key = batch.put(b"photo bytes")
    after = datetime.now(UTC)

    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.jpg", key)
    assert key[:7] in {f"{before:%Y/%m}", f"{after:%Y/%m}"}
    assert store.read(key) == b"photo bytes"
    assert store.path_of(key).is_relative_to(store.root)


def test_put_uses_the_given_suffix_and_a_new_key_each_time(store):
    with store.staged() as batch:
        keys = [batch.put(b"a", suffix=".webp"), batch.put(b"b", suffix=".webp")]

    assert len(set(keys)) == 2
    assert all(key.endswith(".webp") for key in keys)


@pytest.mark.parametrize("suffix", ["jpg", "/../x.jpg", ".JPG", ".a/b", ""])
def test_put_refuses_a_suffix_that_is_not_a_plain_extension(store, suffix):
    with store.staged() as batch, pytest.raises(ValueError, match="suffix"):
        batch.put(b"x", suffix=suffix)


def test_files_are_readable_by_others_whatever_the_umask(store):
    old_umask = os.umask(0o077)
    try:
        with store.staged() as batch:
            key = batch.put(b"photo")
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(store.path_of(key).stat().st_mode) == 0o644


def test_staged_files_stay_when_the_block_succeeds(store):
    with store.staged() as batch:
        keys = [batch.put(b"one"), batch.put(b"two")]

    assert [store.read(key) for key in keys] == [b"one", b"two"]
    assert all(store.exists(key) for key in keys)


def test_failure_after_two_puts_leaves_no_file_behind(store):
    written: list[str] = []

    def put_two_then_fail() -> None:
        with store.staged() as batch:
            written.extend([batch.put(b"one"), batch.put(b"two")])
            assert all(store.exists(key) for key in written)
            raise CommitFailed

    with pytest.raises(CommitFailed):
        put_two_then_fail()

    assert len(written) == 2
    assert not any(store.exists(key) for key in written)
    assert files_under(store.root) == []


def test_failed_write_removes_its_temporary_file_and_the_batchs_files(store, monkeypatch):
    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    def put_three_with_the_disk_filling_up() -> None:
        with store.staged() as batch:
            batch.put(b"one")
            batch.put(b"two")
            monkeypatch.setattr(os, "fsync", failing_fsync)
            batch.put(b"three")

    with pytest.raises(OSError, match="disk full"):
        put_three_with_the_disk_filling_up()

    assert files_under(store.root) == []


def test_failed_database_commit_inside_the_block_removes_the_files(store, tmp_path):
    # A deferred foreign key is checked only at COMMIT, the moment the staging exists for.
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE report (id INTEGER PRIMARY KEY)"))
        conn.execute(
            text(
                "CREATE TABLE attachment (storage_key TEXT, report_id INTEGER "
                "REFERENCES report(id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    session_factory = sessionmaker(engine)

    def attach_to_missing_report() -> None:
        with store.staged() as batch:
            key = batch.put(b"photo")
            with unit_of_work(session_factory) as session:
                insert = text("INSERT INTO attachment VALUES (:key, 999)")
                session.execute(insert, {"key": key})

    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        attach_to_missing_report()

    engine.dispose()
    assert files_under(store.root) == []


def test_put_after_the_block_has_ended_is_refused(store):
    with store.staged() as batch:
        batch.put(b"one")

    with pytest.raises(RuntimeError, match="ended"):
        batch.put(b"late")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside.jpg",
        "2026/../../outside.jpg",
        "2026/11/..",
        "./2026/x.jpg",
        "2026//x.jpg",
        "2026\\..\\..\\x.jpg",
        "2026/x.jpg\x00.png",
    ],
)
def test_keys_that_could_escape_the_root_are_refused(store, key):
    with pytest.raises(InvalidInput):
        store.path_of(key)
    with pytest.raises(InvalidInput):
        store.read(key)
    with pytest.raises(InvalidInput):
        store.exists(key)


def test_symlink_leading_out_of_the_root_is_refused(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    store.root.mkdir()
    (store.root / "link").symlink_to(outside)

    with pytest.raises(InvalidInput):
        store.read("link/secret.txt")


def test_reading_a_missing_key_raises_not_found(store):
    with pytest.raises(NotFound):
        store.read("2026/11/0123456789abcdef0123456789abcdef.jpg")
    assert not store.exists("2026/11/0123456789abcdef0123456789abcdef.jpg")
