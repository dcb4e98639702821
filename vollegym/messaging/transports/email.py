"""E-mail through Django's mail framework (SMTP by default, any provider through django-anymail)."""

from __future__ import annotations

import smtplib
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage

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
        headers={"X-Vollegym-Message": str(message.pk)},
    )
    for attachment in message.attachments:
        mail.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    anymail_status = getattr(mail, "anymail_status", None)
    return str(getattr(anymail_status, "message_id", "") or "")
