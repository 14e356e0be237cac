"""The conversation with one Zalo user: collect a report's parts in any order, file it once.

Each message adds to the user's draft (text to the description, photos up to five, the last
location, a category chosen by number or suggested from the text). As soon as the draft holds a
description, a location and a category it is filed through the app's intake with
``channel=zalo``, under an idempotency key made from the ids of the messages that built it;
the reference goes back to the user with the report's other news (``ioc.integrations.zalo.
notices``). Zalo redelivers a webhook it did not see answered: a message id already handled is
acknowledged and changes nothing, so no redelivery files twice.

Replies are events (``zalo.reply``) in the same transaction as the change they answer, sent by
the worker like every other message to the outside.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work, utcnow
from ioc.errors import InvalidInput
from ioc.events.log import record_event_at_commit
from ioc.feedback.intake.filing import MAX_PHOTOS, Intake
from ioc.feedback.intake.idempotency import StoredAnswer, request_fingerprint
from ioc.feedback.intake.photos import ProcessedPhoto, process_photo
from ioc.feedback.intake.submission import Draft, Submission, submit_once
from ioc.feedback.models import Category, User
from ioc.feedback.report_models import Report
from ioc.feedback.states import Channel, Role
from ioc.integrations.zalo import texts
from ioc.integrations.zalo.events import FOLLOW, IMAGE, LOCATION, TEXT, UNFOLLOW, ZaloEvent
from ioc.integrations.zalo.models import ZaloContact, ZaloDraft, ZaloInbound
from ioc.integrations.zalo.oa import PhotoFetcher, PhotoUnavailable
from ioc.media import MediaStore

log = logging.getLogger(__name__)

REPLY_EVENT = "zalo.reply"
#: How many categories the numbered choice offers.
MAX_CHOICES = 9


@dataclass(frozen=True)
class ZaloChannel:
    """What handling a message needs: the database, the media store, the intake and a way
    to fetch the photos."""

    session_factory: sessionmaker[Session]
    media: MediaStore
    intake: Intake
    fetcher: PhotoFetcher


@dataclass(frozen=True)
class Handled:
    """What a webhook did: ``handled``, ``duplicate`` (seen before), ``ignored`` or ``filed``
    (with the report's ref)."""

    result: str
    ref: str | None = None


@dataclass(frozen=True)
class _Ready:
    contact_id: int
    user_id: int
    draft: Draft
    photo_urls: tuple[str, ...]
    message_ids: tuple[str, ...]


def receive_event(
    channel: ZaloChannel, event: ZaloEvent, *, now: datetime | None = None
) -> Handled:
    """Act on one event from a Zalo user (one transaction, then filing when the draft is
    complete). A message id seen before changes nothing, except that a complete draft left
    unfiled (the process stopped between the two steps) is filed now.

    Raises:
        nothing for the user's own mistakes: they are answered in the conversation.
    """
    now = now or utcnow()
    try:
        with unit_of_work(channel.session_factory) as session:
            result, ready = _take(session, event, now)
    except IntegrityError:
        # The same message delivered twice at once: the other delivery holds it.
        return Handled("duplicate")
    if ready is None:
        return Handled(result)
    return _file(channel, ready, now)


def _take(session: Session, event: ZaloEvent, now: datetime) -> tuple[str, _Ready | None]:
    contact = _contact(session, event.user_id, now)
    if event.name in (FOLLOW, UNFOLLOW):
        contact.is_following = event.name == FOLLOW
        if event.name == FOLLOW:
            _reply(session, contact, texts.WELCOME)
        return "handled", None
    contact.is_following = True  # writing to the OA is following it, as far as replies go
    contact.last_message_at = now
    assert event.msg_id is not None
    if session.get(ZaloInbound, event.msg_id) is not None:
        return "duplicate", _ready(session, contact)
    session.add(ZaloInbound(msg_id=event.msg_id, contact_id=contact.id, received_at=now))
    session.flush()
    draft = session.get(ZaloDraft, contact.id)
    if event.name == TEXT and (event.text or "").strip().lower() in texts.CANCEL_WORDS:
        if draft is None:
            _reply(session, contact, texts.NOTHING_TO_CANCEL)
        else:
            session.delete(draft)
            _reply(session, contact, texts.CANCELLED)
        return "handled", None
    if draft is None:
        draft = ZaloDraft(contact_id=contact.id, photo_urls=[], message_ids=[], created_at=now)
        session.add(draft)
    draft.message_ids = [*draft.message_ids, event.msg_id]
    draft.updated_at = now
    said = _apply(session, draft, event)
    session.flush()
    ready = _ready(session, contact)
    if ready is None:
        said.append(_next_question(session, draft))
    _reply(session, contact, " ".join(part for part in said if part))
    return "handled", ready


def _apply(session: Session, draft: ZaloDraft, event: ZaloEvent) -> list[str]:
    said: list[str] = []
    if event.name == TEXT and event.text:
        choice = _chosen_category(session, draft, event.text)
        if choice is not None:
            draft.category_code = choice.code
            said.append(texts.CATEGORY_CHOSEN.format(name=choice.name_vi))
        else:
            _describe(session, draft, event.text, said)
    elif event.name == IMAGE:
        room = MAX_PHOTOS - len(draft.photo_urls)
        draft.photo_urls = [*draft.photo_urls, *event.image_urls[: max(room, 0)]]
        said.append(texts.PHOTO_RECEIVED.format(count=len(draft.photo_urls), limit=MAX_PHOTOS))
        if len(event.image_urls) > room:
            said.append(texts.TOO_MANY_PHOTOS.format(limit=MAX_PHOTOS))
        if event.text:
            _describe(session, draft, event.text, said)
    elif event.name == LOCATION:
        draft.lon, draft.lat = event.lon, event.lat
    return said


def _describe(session: Session, draft: ZaloDraft, text: str, said: list[str]) -> None:
    draft.description = f"{draft.description}\n{text}" if draft.description else text
    if draft.category_code is None:
        suggested = suggest_category(_categories(session), draft.description)
        if suggested is not None:
            draft.category_code = suggested.code
            said.append(texts.CATEGORY_CHOSEN.format(name=suggested.name_vi))


def _chosen_category(session: Session, draft: ZaloDraft, text: str) -> Category | None:
    """The category a reply picks by its number, when the draft waits for one."""
    if draft.category_code is not None or not draft.description or not text.strip().isdigit():
        return None
    choices = _categories(session)[:MAX_CHOICES]
    index = int(text.strip()) - 1
    return choices[index] if 0 <= index < len(choices) else None


def _next_question(session: Session, draft: ZaloDraft) -> str:
    if not draft.description:
        return texts.ASK_DESCRIPTION
    if draft.category_code is None:
        return _ask_category(session)
    return texts.ASK_LOCATION


def _ask_category(session: Session) -> str:
    choices = _categories(session)[:MAX_CHOICES]
    lines = "\n".join(f"{i}. {c.name_vi}" for i, c in enumerate(choices, start=1))
    return texts.ASK_CATEGORY.format(choices=lines)


def _categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .where(Category.is_active.is_(True))
            .order_by(Category.sort_order, Category.code)
        )
    )


def suggest_category(categories: Sequence[Category], text: str) -> Category | None:
    """The category whose Vietnamese name the text mentions best (all of a name's words
    appear, accents ignored; the longest such name wins), or ``None``."""
    words = set(_folded(text).split())
    best: tuple[int, Category] | None = None
    for category in categories:
        name = _folded(category.name_vi).split()
        fits = bool(name) and all(word in words for word in name)
        if fits and (best is None or len(name) > best[0]):
            best = (len(name), category)
    return best[1] if best else None


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in plain)


def _ready(session: Session, contact: ZaloContact) -> _Ready | None:
    draft = session.get(ZaloDraft, contact.id)
    if (
        draft is None
        or not draft.description
        or draft.lon is None
        or draft.lat is None
        or draft.category_code is None
    ):
        return None
    return _Ready(
        contact_id=contact.id,
        user_id=contact.user_id,
        draft=Draft(
            category_code=draft.category_code,
            lon=draft.lon,
            lat=draft.lat,
            description=draft.description,
        ),
        photo_urls=tuple(draft.photo_urls),
        message_ids=tuple(draft.message_ids),
    )


def _file(channel: ZaloChannel, ready: _Ready, now: datetime) -> Handled:
    photos, lost = _fetch_photos(channel.fetcher, ready.photo_urls)
    ids = "\n".join(sorted(ready.message_ids))
    submission = Submission(
        reporter_id=ready.user_id,
        key="zalo:" + hashlib.sha256(ids.encode()).hexdigest(),
        fingerprint=request_fingerprint(
            {
                "category": ready.draft.category_code,
                "lon": ready.draft.lon,
                "lat": ready.draft.lat,
                "description": ready.draft.description,
                "photos": list(ready.photo_urls),
            },
            [],
        ),
        draft=ready.draft,
        photos=photos,
        channel=Channel.ZALO,
    )
    try:
        answer = submit_once(
            channel.session_factory,
            channel.media,
            channel.intake,
            submission,
            render=_answer,
        )
    except InvalidInput as refusal:
        _refused(channel.session_factory, ready, refusal)
        return Handled("handled")
    with unit_of_work(channel.session_factory) as session:
        draft = session.get(ZaloDraft, ready.contact_id)
        if draft is not None and tuple(draft.message_ids) == ready.message_ids:
            session.delete(draft)
        contact = session.get(ZaloContact, ready.contact_id)
        if lost and contact is not None:
            _reply(session, contact, texts.PHOTOS_LOST.format(count=lost, ref=answer.body["ref"]))
    return Handled("filed", str(answer.body["ref"]))


def _answer(report: Report) -> StoredAnswer:
    return StoredAnswer(201, {"ref": report.ref}, None)


def _fetch_photos(fetcher: PhotoFetcher, urls: Sequence[str]) -> tuple[list[ProcessedPhoto], int]:
    """The photos that could be fetched and read, stripped like any upload; and how many
    could not (the report is filed without them rather than not at all)."""
    photos: list[ProcessedPhoto] = []
    for index, url in enumerate(urls):
        try:
            photos.append(process_photo(fetcher.fetch(url), field=f"photos[{index}]"))
        except (PhotoUnavailable, InvalidInput) as exc:
            log.warning("a Zalo photo was left out: %s", exc)
    return photos, len(urls) - len(photos)


def _refused(session_factory: sessionmaker[Session], ready: _Ready, refusal: InvalidInput) -> None:
    """Tell the user why the report was not filed, and drop what made it fail so the next
    message can put it right."""
    fields = dict(refusal.details.get("fields", {}))
    with unit_of_work(session_factory) as session:
        contact = session.get(ZaloContact, ready.contact_id)
        draft = session.get(ZaloDraft, ready.contact_id)
        if contact is None or draft is None:
            return
        if "lon" in fields or "lat" in fields:
            draft.lon = draft.lat = None
            _reply(session, contact, texts.OUTSIDE_AREA)
        elif "category" in fields:
            draft.category_code = None
            _reply(session, contact, _ask_category(session))
        else:
            if "description" in fields:
                draft.description = None
            _reply(session, contact, texts.NOT_FILED.format(reason=refusal.message))


def _contact(session: Session, zalo_user_id: str, now: datetime) -> ZaloContact:
    """The Zalo user's contact, with a citizen account (like an app user's) made on first
    contact: their reports are followed and protected like any citizen's."""
    contact = session.scalar(select(ZaloContact).where(ZaloContact.zalo_user_id == zalo_user_id))
    if contact is None:
        citizen = User(role=Role.CITIZEN, display_name=None, locale="vi")
        session.add(citizen)
        session.flush()
        contact = ZaloContact(zalo_user_id=zalo_user_id, user_id=citizen.id, created_at=now)
        session.add(contact)
        session.flush()
    return contact


def _reply(session: Session, contact: ZaloContact, text: str) -> None:
    # Not for any screen (no audience) nor for webhook subscribers (see fanout): only the
    # worker's Zalo delivery reads it.
    record_event_at_commit(
        session,
        REPLY_EVENT,
        payload={"zalo_user_id": contact.zalo_user_id, "text": text},
        audiences=[],
    )
