"""Mail transports: SMTP (aiosmtplib) and a file sink under ``var/mail/`` when no SMTP is set.

A transport sends in two steps so the outbox can tell "surely not sent" from "maybe sent":
``prepare`` announces the envelope (SMTP MAIL FROM / RCPT TO; nothing is delivered yet) and
``deliver`` transfers the message (SMTP DATA; the server takes responsibility when it answers
250). See :mod:`app.outbox.sender` for how the outbox uses the two steps.

Every message carries a ``Message-ID`` made from its dedupe key, so even a duplicate could be
recognised by the receiving side. The file sink is idempotent by construction: one file per
dedupe key, written atomically, never overwritten.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.calendar import WARSAW

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Mail:
    key: str  # the outbox dedupe key
    sender: str
    recipient: str
    subject: str
    body: str
    ics: str | None = None
    html: str | None = None
    reply_to: str = ""


class _Policy(Compat32):
    """``compat32`` that writes a short ASCII header as it is.

    ``compat32`` runs every header through ``Header.encode`` (a third of the cost of a
    message), which returns a short one-line ASCII value unchanged anyway; longer, non-ASCII
    or ``Header`` values still take the library's folding.
    """

    def fold_binary(self, name: str, value: Any) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
            and "\r" not in value
            and "\n" not in value
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy()


def message_bytes(mail: Mail) -> bytes:
    """The message as sent (SMTP DATA) or written (file sink)."""
    return build_message(mail).as_bytes(policy=POLICY)


def build_message(mail: Mail) -> Message:
    """The MIME message: a UTF-8 text body (with its HTML alternative when the mail has one)
    and the .ics as an attachment whose ``method`` is the file's own METHOD.

    Headers: ``Date`` in Warsaw time with its real offset, a ``Message-ID`` made from the dedupe
    key, ``Reply-To`` the office's contact address when given.

    Built with the ``compat32`` classes (``email.mime``): a third of the CPU of ``EmailMessage``
    with the default policy, which mattered while the in-process sender shared the web
    process with a booking storm. Readers parse it the same (tests read it back with
    ``policy.default``).
    """
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    text: Message = MIMEText(mail.body, "plain", "utf-8")
    if mail.html:
        alternative = MIMEMultipart("alternative")
        alternative.attach(text)
        alternative.attach(MIMEText(mail.html, "html", "utf-8"))
        alternative.set_boundary(f"=_bilans_alt_{digest}")
        text = alternative
    message: Message
    if mail.ics:
        message = MIMEMultipart("mixed")
        message.attach(text)
        calendar = MIMEText(mail.ics, "calendar", "utf-8")
        calendar.set_param("method", ics_method(mail.ics))
        calendar.add_header("Content-Disposition", "attachment", filename="bilans-kariery.ics")
        message.attach(calendar)
        # The parts are base64, which has no "_": this boundary cannot occur in them, and the
        # generator need not search the text for a free random one (a regex per message).
        message.set_boundary(f"=_bilans_{digest}")
    else:
        message = text
    structure = [(name, message[name]) for name in _STRUCTURE if name in message]
    for name, _value in structure:
        del message[name]
    message["From"] = mail.sender
    message["To"] = mail.recipient
    subject: Any = mail.subject  # a Header only when it needs encoded words
    if not mail.subject.isascii():
        subject = Header(mail.subject, "utf-8", header_name="Subject")
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(WARSAW).replace(microsecond=0))
    message["Message-ID"] = f"<{digest}@bilans.wup-krakow.pl>"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["X-Bilans-Key"] = digest
    for name, value in structure:  # the addresses first, as people read the raw file
        message[name] = value
    return message


_STRUCTURE = ("Content-Type", "MIME-Version", "Content-Transfer-Encoding")
_METHODS = ("REQUEST", "CANCEL", "PUBLISH")


def ics_method(ics: str) -> str:
    """The calendar file's METHOD (RFC 5546), for the attachment's ``method`` parameter."""
    for line in ics.splitlines():
        if line.startswith("METHOD:") and line[7:].strip() in _METHODS:
            return line[7:].strip()
        if line.startswith("BEGIN:VTIMEZONE") or line.startswith("BEGIN:VEVENT"):
            break
    return "PUBLISH"


def envelope_address(header: str) -> str:
    """``Name <a@b>`` -> ``a@b``."""
    return header.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in header else header.strip()


class Transport(Protocol):
    # True when ``deliver`` itself never delivers one dedupe key twice (the file sink): the
    # outbox then sends a batch without claiming each row first (see ``app.outbox.sender``).
    idempotent: bool

    async def open(self) -> None: ...
    async def prepare(self, mail: Mail) -> None: ...
    async def deliver(self, mail: Mail) -> None: ...
    async def reset(self) -> None: ...
    async def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection for a batch of messages (``smtp://`` or ``smtps://`` URL)."""

    idempotent = False

    def __init__(self, url: str, *, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.smtp: aiosmtplib.SMTP | None = None

    async def open(self) -> None:
        self.smtp = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.tls,
            start_tls=False if self.tls else None,
            timeout=self.timeout,
            username=self.username,
            password=self.password,
        )
        await self.smtp.connect()

    def _conn(self) -> aiosmtplib.SMTP:
        if self.smtp is None:
            raise RuntimeError("open() the transport first")
        return self.smtp

    async def prepare(self, mail: Mail) -> None:
        smtp = self._conn()
        await smtp.mail(envelope_address(mail.sender))
        await smtp.rcpt(mail.recipient)

    async def deliver(self, mail: Mail) -> None:
        await self._conn().data(message_bytes(mail))

    async def reset(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            await self.smtp.rset()

    async def close(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit()
            except aiosmtplib.SMTPException:
                self.smtp.close()
        self.smtp = None


class FileSink:
    """Writes each message to ``<directory>/<key>.eml`` (embedded mode without SMTP).

    Idempotent: a key whose file exists is not written again.
    """

    idempotent = True

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    async def prepare(self, mail: Mail) -> None:
        return None

    async def deliver(self, mail: Mail) -> None:
        await self.deliver_many([mail])

    async def deliver_many(self, mails: list[Mail]) -> None:
        """Build and write the batch in a worker thread. (In embedded mode the whole outbox
        run, this included, happens in the helper process, off the web process.)"""
        await asyncio.to_thread(write_messages, self.directory, mails)

    async def reset(self) -> None:
        return None

    async def close(self) -> None:
        return None


def mail_path(directory: Path, key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)
    return directory / f"{safe}.eml"


def write_messages(directory: Path, mails: list[Mail]) -> None:
    """Write each mail to ``<directory>/<key>.eml`` unless that file exists (the file sink's
    body; runs in the helper process)."""
    for mail in mails:
        target = mail_path(directory, mail.key)
        if target.exists():
            continue
        # Unique per write: two senders may write the same key at once (the same content; the
        # second replace changes nothing), but must not share a partial file.
        partial = target.with_suffix(f".{os.getpid()}.{secrets.token_hex(6)}.tmp")
        partial.write_bytes(message_bytes(mail))
        os.replace(partial, target)


def transport_for(smtp_url: str | None, var_dir: Path) -> Transport:
    return SmtpTransport(smtp_url) if smtp_url else FileSink(var_dir / "mail")
