"""The ``[channels]`` section of ``province.toml``: the hotline, the public e-mail address and
the Zalo OA, checked for shape (file and key named, Vietnamese and English), kept with the
province profile and written back by the export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from ioc.cli import main
from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.models import ProvinceProfile
from ioc.province.pack import ChannelContacts
from ioc.province.reading import read_pack
from ioc.province.writing import write_pack
from tests.province.factories import make_pack
from tests.province.packs import EXAMPLE, copy_example

CONTACTS = ChannelContacts(
    hotline="1022",
    email="phananh@tinhmau.gov.vn",
    zalo_oa_name="Trung tâm điều hành Tỉnh Mẫu",
    zalo_oa_url="https://zalo.me/1234567890123456789",
)


def _with_channels(folder: Path, section: str) -> Path:
    path = folder / "province.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[channels]")
    end = text.index("[[areas]]")
    path.write_text(text[:start] + section + "\n\n" + text[end:], encoding="utf-8")
    return folder


def test_the_example_pack_names_its_hotline_e_mail_and_zalo_oa() -> None:
    pack, problems = read_pack(EXAMPLE)

    assert problems == []
    assert pack.province.channels == CONTACTS


def test_a_pack_without_channels_has_none() -> None:
    assert make_pack().province.channels.is_empty


@pytest.mark.parametrize(
    ("line", "key", "vi", "en"),
    [
        ('hotline = "gọi 1022"', "hotline", "không phải số điện thoại", "is not a phone number"),
        ('email = "phananh.tinhmau.gov.vn"', "email", "không phải địa chỉ thư điện tử",
         "is not an e-mail address"),
        ('zalo_oa_url = "http://zalo.me/1"', "zalo_oa_url", "không phải đường dẫn https://",
         "is not an https:// link"),
        ('fax = "0236 3822 222"', "fax", "khóa không có trong định dạng", "unknown key 'fax'"),
    ],
)  # fmt: skip
def test_check_names_the_file_and_key_of_a_malformed_contact(
    tmp_path: Path, line: str, key: str, vi: str, en: str
) -> None:
    folder = _with_channels(copy_example(tmp_path), f"[channels]\n{line}")

    vietnamese = CliRunner().invoke(main, ["province", "check", str(folder)])
    english = CliRunner().invoke(main, ["province", "check", str(folder), "--lang", "en"])

    assert vietnamese.exit_code == 1
    [problem] = [line for line in vietnamese.output.splitlines() if line.startswith("LỖI")]
    assert problem.startswith(f"LỖI: province.toml, cột channels.{key}: ")
    assert vi in problem
    [problem_en] = [line for line in english.output.splitlines() if line.startswith("ERROR")]
    assert problem_en.startswith(f"ERROR: province.toml, column channels.{key}: ")
    assert en in problem_en


def test_channels_are_kept_with_the_profile_and_exported(tmp_path: Path) -> None:
    env = {"IOC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    pack = make_pack()
    pack = dataclasses.replace(pack, province=dataclasses.replace(pack.province, channels=CONTACTS))
    write_pack(pack, tmp_path / "pack")

    loaded = runner.invoke(main, ["province", "load", str(tmp_path / "pack")], env=env)
    exported = runner.invoke(main, ["province", "export", str(tmp_path / "out")], env=env)
    again = runner.invoke(main, ["province", "load", str(tmp_path / "out")], env=env)

    assert loaded.exit_code == 0, loaded.output
    engine = make_engine(env["IOC_DATABASE_URL"])
    with unit_of_work(make_session_factory(engine)) as session:
        stored = session.get_one(ProvinceProfile, 1).channels
    engine.dispose()
    assert stored == CONTACTS.as_dict()
    assert exported.exit_code == 0, exported.output
    assert read_pack(tmp_path / "out")[0].province.channels == CONTACTS
    assert again.exit_code == 0, again.output
    assert "không có thay đổi" in again.output.lower() or "no changes" in again.output.lower()
