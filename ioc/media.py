"""Photo files on disk under the media root (the app's ``IOC_MEDIA_DIR``), written all or nothing.

A report's photos are written before the database rows that name them, so a failed commit must
take the files away again; otherwise the disk fills with photos no report points to. Files are
staged in a batch that deletes everything it wrote when its block raises::

    with store.staged() as batch:
        keys = [batch.put(photo.data) for photo in photos]
        with unit_of_work(session_factory) as session:
            attach_photos(session, report_id=report_id, keys=keys)  # commits on the way out
    # A failed commit raises out of both blocks: the rows are rolled back, the files deleted.

Keys are relative POSIX paths such as ``2026/11/<uuid4 hex>.jpg``; they are what the database
stores, so the media root can move without touching any row.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ioc.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

FILE_MODE = 0o644
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


class MediaStore:
    """Files addressed by key under ``root``; a key can never reach outside it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, key: str) -> Path:
        """The file a key names.

        Raises:
            InvalidInput: the key is empty, absolute, has ``.``/``..``/empty parts or
                backslashes, or leads outside the root through a symbolic link.
        """
        parts = key.split("/")
        if "\\" in key or "\x00" in key or any(part in ("", ".", "..") for part in parts):
            raise _bad_key()
        path = self.root.joinpath(*parts)
        # The checks above stop "../" tricks; resolving also stops a symlink inside the root
        # from leading out of it.
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise _bad_key()
        return path

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key``.

        Raises:
            InvalidInput: the key is not a valid key (see :meth:`path_of`).
            NotFound: nothing is stored under the key.
        """
        try:
            return self.path_of(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound("no such media file", details={"key": key}) from None

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``.

        Raises:
            InvalidInput: the key is not a valid key (see :meth:`path_of`).
        """
        return self.path_of(key).is_file()

    @contextmanager
    def staged(self) -> Iterator[MediaBatch]:
        """A batch of new files that are all deleted if the ``with`` block raises.

        Put the database commit inside the block (see the module docstring) so that a failed
        commit removes the files too. The exception always propagates.
        """
        batch = MediaBatch(self)
        try:
            yield batch
        except BaseException:
            batch._discard()
            raise
        batch._close()


class MediaBatch:
    """Files written by one :meth:`MediaStore.staged` block; create it through that method."""

    def __init__(self, store: MediaStore) -> None:
        self._store = store
        self._keys: list[str] = []
        self._is_open = True

    def put(self, data: bytes, *, suffix: str = ".jpg") -> str:
        """Write ``data`` atomically to a new file and return its key.

        Raises:
            ValueError: ``suffix`` is not a dot and 1–8 lower-case letters or digits.
            RuntimeError: the batch's ``with`` block has already ended.
            OSError: the file could not be written (nothing is left behind).
        """
        if not self._is_open:
            raise RuntimeError("this media batch has ended; start a new staged() block")
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"invalid media suffix: {suffix!r}")
        now = datetime.now(UTC)
        key = f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}{suffix}"
        path = self._store.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Recorded first: if the write fails after the rename, discarding still finds the file.
        self._keys.append(key)
        _write_atomically(path, data)
        return key

    def _discard(self) -> None:
        """Delete every file the batch wrote; a file that cannot be deleted is only logged."""
        self._is_open = False
        for key in self._keys:
            try:
                self._store.path_of(key).unlink(missing_ok=True)
            except OSError:
                # The caller's exception matters more than a leftover file; log it for cleanup.
                log.exception("could not delete staged media file %s", key)
        self._keys.clear()

    def _close(self) -> None:
        """Keep the files and refuse further puts."""
        self._is_open = False


def _bad_key() -> InvalidInput:
    return InvalidInput("invalid media key", details={"fields": {"key": "not a valid media key"}})


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory so readers never see half a file."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".staging-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
            # mkstemp creates 0o600; the web server (another user) serves these files.
            os.fchmod(temp.fileno(), FILE_MODE)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    # Make the rename itself durable, so a crash cannot lose a file the database names.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
