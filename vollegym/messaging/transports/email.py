"""E-mail through Django's mail framework (SMTP by default, any provider through django-anymail)."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import UTC
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from vollegym.messaging.transports import PermanentFailure, TemporaryFailure

if TYPE_CHECKING:
    from vollegym.messaging.models import Message


def send(message: Message) -> str:
    # Sent from the one configured address, but under the studio's name, with replies going to a person.
    _, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=formataddr((message.studio.name, sender)) if sender else settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"Message-ID": message_id(message), "X-Vollegym-Message": str(message.pk)},
    )
    for attachment in message.attachments:
        mail.attach(_part(attachment))
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    anymail_status = getattr(mail, "anymail_status", None)
    return str(getattr(anymail_status, "message_id", "") or "")


def message_id(message: Message) -> str:
    """The same Message-ID on every attempt, so a mail sent again after a crash is known as the same mail."""
    _, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rpartition("@")[2] or str(DNS_NAME)
    # Studio, key and the moment it was queued: unique across studios, and across databases whose ids restart.
    origin = f"{message.studio_id}:{message.key}:{message.created_at.astimezone(UTC).isoformat()}"
    return f"<msg-{message.pk}-{hashlib.sha256(origin.encode()).hexdigest()[:16]}@{domain}>"


def _part(attachment: dict[str, str]) -> MIMEBase:
    """One attachment; a calendar invite carries its METHOD in the content type, so mail apps offer to accept it."""
    maintype, _, subtype = (attachment.get("mimetype") or "application/octet-stream").partition("/")
    if maintype == "text":
        part: MIMEBase = MIMEText(attachment["content"], subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment["content"])
    if attachment.get("method"):
        part.set_param("method", attachment["method"])
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part
