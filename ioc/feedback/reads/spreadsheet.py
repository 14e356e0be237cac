"""An XLSX workbook of one sheet, written as a stream of bytes while the rows arrive.

The sheet's XML is produced row by row with inline strings and zipped on the fly, so the
first bytes leave at once and memory stays flat however many rows follow. Every cell is text
(``t="inlineStr"``): nothing a citizen typed can become a formula.
"""

from __future__ import annotations

import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from stream_zip import ZIP_32, ZIP_64, MemberFile, stream_zip

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's own limit: longer text is cut there rather than making a file Excel refuses.
MAX_CELL_CHARS = 32_767
_CHUNK_BYTES = 64 * 1024
_ZIP_CHUNK_BYTES = 16 * 1024
_MODE = stat.S_IFREG | 0o644

# Characters XML 1.0 forbids even as references (most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A carriage return would be read back as a line feed unless written as a reference.
_ENTITIES = {"\r": "&#13;", '"': "&quot;"}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0 is plain text, style 1 bold (the header row).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


def xml_text(value: str) -> str:
    """``value`` as XML character data: escaped, forbidden characters dropped."""
    return escape(_NOT_XML.sub("", value[:MAX_CELL_CHARS]), _ENTITIES)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _row_xml(number: int, row: list[str], columns: list[str], style: str) -> str:
    cells = "".join(
        f'<c r="{columns[i]}{number}" t="inlineStr"{style}>'
        f'<is><t xml:space="preserve">{xml_text(value)}</t></is></c>'
        for i, value in enumerate(row)
        if value
    )
    return f'<row r="{number}">{cells}</row>'


def _sheet(rows: Iterable[list[str]]) -> Iterator[bytes]:
    yield _SHEET_START.encode()
    columns: list[str] = []
    parts: list[str] = []
    size = 0
    for number, row in enumerate(rows, start=1):
        while len(columns) < len(row):
            columns.append(_column(len(columns)))
        part = _row_xml(number, row, columns, ' s="1"' if number == 1 else "")
        parts.append(part)
        size += len(part)
        if size >= _CHUNK_BYTES:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    parts.append(_SHEET_END)
    yield "".join(parts).encode()


def xlsx_chunks(rows: Iterable[list[str]], *, sheet_name: str) -> Iterator[bytes]:
    """The bytes of an XLSX file whose one sheet holds ``rows`` (the first in bold)."""
    now = datetime.now(UTC).replace(tzinfo=None)

    def part(name: str, text: str) -> MemberFile:
        return name, now, _MODE, ZIP_32, (text.encode(),)

    files: list[MemberFile] = [
        part("[Content_Types].xml", _CONTENT_TYPES),
        part("_rels/.rels", _ROOT_RELS),
        part("xl/workbook.xml", _WORKBOOK.format(name=xml_text(sheet_name[:31]))),
        part("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        part("xl/styles.xml", _STYLES),
        # Zip64: a sheet of a million rows may pass the 4 GiB a plain zip entry can hold.
        ("xl/worksheets/sheet1.xml", now, _MODE, ZIP_64, _sheet(rows)),
    ]
    yield from stream_zip(
        files,
        # Small pieces: the download visibly starts with the first rows, not after 64 KiB.
        chunk_size=_ZIP_CHUNK_BYTES,
        get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6),
    )
