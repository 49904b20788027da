"""A feed's body: built from its events, rendered, and kept in memory while its version holds.

A body is served only while its feed's version (:mod:`scheduling.feeds.versions`) is the one it
was rendered for, so a stale body is never shown, and an unchanged feed costs one query and no
build. In a multi-process deployment each process renders a changed feed once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.feeds.events import Window, feed_events
from scheduling.feeds.versions import ResolvedFeed
from scheduling.ics import etag_for, render_feed

__all__ = ["CANCELLED_KEEP_DAYS", "FeedCache", "Rendered", "build_feed", "current_body"]

CANCELLED_KEEP_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class Rendered:
    version: tuple[Any, ...]
    body: bytes
    etag: str


class FeedCache:
    """The newest rendered body of each feed, in memory, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, int, int | None], Rendered] = OrderedDict()
        self._size = 0

    def get(self, feed: ResolvedFeed) -> Rendered | None:
        entry = self._entries.get(feed.key)
        if entry is None or entry.version != feed.version:
            return None
        self._entries.move_to_end(feed.key)
        return entry

    def put(self, feed: ResolvedFeed, rendered: Rendered) -> None:
        old = self._entries.pop(feed.key, None)
        if old is not None:
            self._size -= len(old.body)
        self._entries[feed.key] = rendered
        self._size += len(rendered.body)
        while self._size > self.max_bytes and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped.body)

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0


async def current_body(
    db: AsyncSession, feed: ResolvedFeed, cache: FeedCache, *, base_url: str
) -> Rendered:
    """The feed's body for its current version: from the cache, or built and kept there."""
    rendered = cache.get(feed)
    if rendered is None:
        body = await build_feed(db, feed, base_url=base_url)
        rendered = Rendered(version=feed.version, body=body, etag=etag_for(body))
        cache.put(feed, rendered)
    return rendered


async def build_feed(db: AsyncSession, feed: ResolvedFeed, *, base_url: str) -> bytes:
    """Load the feed's events, keep their calendar identities, render the calendar."""
    window = Window.around(feed.hour)
    try:
        events = await feed_events(db, feed.kind, feed.subject_id, window, base_url=base_url)
        await db.commit()
    except IntegrityError:
        # another request stored the same new FeedItem first: its identity is ours too
        await db.rollback()
        events = await feed_events(db, feed.kind, feed.subject_id, window, base_url=base_url)
        await db.commit()
    return render_feed(
        name=feed.name,
        events=events,
        now=feed.hour,
        cancelled_keep_days=CANCELLED_KEEP_DAYS,
        alarm_minutes=feed.alarm_minutes,
    )
