"""Vietnamese first, English second.

Messages are written in English in the code and translated from gettext catalogues
(``ioc/locale/<lang>/LC_MESSAGES/messages.po``, read with Babel), so translators work with
standard tools. Vietnamese is the default; a message without a translation stays English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = _LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {
        message.id: message.string
        for message in catalogue
        if isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.id
        and message.string
        and not message.fuzzy
    }


def translate(message: str, language: str) -> str:
    """``message`` in ``language``, or unchanged when no translation exists."""
    if language == "en":
        return message
    return _catalogue(language).get(message, message)
