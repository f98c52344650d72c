"""Sending a recorded notice: its mail rendered from templates (plain text and HTML), over
SMTP with Flask-Mailman, or, with no MAIL_SERVER configured, written to the log instead
(the notice is still recorded, for the log: configuring a server later does not send old
notices)."""

from __future__ import annotations

import hashlib
import logging
import smtplib
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import and_, exists, func, select

from ..models import Notice, NoticeDelivery
from ..models.notices import FINAL, LOG
from ..transcripts.service import public_url
from .rules import KINDS
from .settings import settings_token

log = logging.getLogger("ledger.reminders")
MAX_ATTEMPTS = 5  # failures after which a notice is no longer tried (it stays listed, failed)


def undelivered():
    """A SQL condition on `Notice`: no final delivery, and fewer than MAX_ATTEMPTS failures.
    Both are anti-joins (the failures counted per notice in a derived table, not per row
    in a correlated count), so the planner can merge or hash them whatever it thinks of
    the tables' sizes: a run's own deliveries grow the table faster than its statistics."""
    given_up = (select(NoticeDelivery.notice_id).where(NoticeDelivery.outcome == "failed")
                .group_by(NoticeDelivery.notice_id).having(func.count() >= MAX_ATTEMPTS).subquery())
    return and_(~exists().where(NoticeDelivery.notice_id == Notice.id, NoticeDelivery.outcome.in_(FINAL)),
                ~exists().where(given_up.c.notice_id == Notice.id))


def links(notice: Notice) -> dict:
    """The page the notice is about, and the one-click link to its settings."""
    if notice.educator_id is not None:
        page = public_url(f"/educators/{notice.educator_id}")
    else:
        page = public_url("/reminders/sent")
    return {"page": page, "settings": public_url("/reminders/settings/" + settings_token(notice))}


def render(notice: Notice) -> tuple[str, str]:
    """(plain text, HTML) of the notice's mail; the HTML is autoescaped (names are data)."""
    context = {"notice": notice, "p": notice.payload, "kind": KINDS[notice.kind], **links(notice)}
    return (render_template("mail/notice.txt", **context), render_template("mail/notice.html", **context))


def log_notice(notice) -> str:
    """Write a notice that is not mailed to the log: what became of it."""
    if not notice.to_address:
        return "no_address"
    log.info("notice %s (%s) for %s not sent, no MAIL_SERVER: %s", notice.id, notice.kind, notice.to_address,
             notice.summary)
    return "logged"


class Sender:
    """Delivers one notice: (outcome, detail). `commit_each`: record each outcome at once
    (mail has left the machine). `channel`: what the job records its notices for (None:
    the mail, delivered by this sender; LOG: the log, as they are recorded)."""

    commit_each = False
    channel: str | None = None

    def __call__(self, notice: Notice) -> tuple[str, str | None]:
        if not notice.to_address:
            return "no_address", None
        return self.deliver(notice)

    def deliver(self, notice: Notice) -> tuple[str, str | None]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class LogSender(Sender):
    """No MAIL_SERVER: the job records its notices for the log; a notice recorded for the
    mail (a decision's, while a server was configured) is logged too, not sent."""

    channel = LOG

    def deliver(self, notice):
        return log_notice(notice), None


class SmtpSender(Sender):
    commit_each = True

    def __init__(self, config):
        self.config = config
        self.connection = None

    def _connection(self):
        if self.connection is None:
            c = self.config
            mail = current_app.extensions["mailman"]
            self.connection = mail.get_connection(
                backend="smtp", host=c["MAIL_SERVER"], port=c["MAIL_PORT"], username=c.get("MAIL_USERNAME"),
                password=c.get("MAIL_PASSWORD"), use_tls=c["MAIL_USE_TLS"], timeout=c.get("MAIL_TIMEOUT"))
            self.connection.open()
        return self.connection

    def deliver(self, notice):
        text, html = render(notice)
        # One Message-ID per notice: a mail sent again after a crash (between the server
        # taking it and its outcome being recorded) is the same message to the receiver.
        digest = hashlib.sha256(f"{notice.id}|{notice.created_at.isoformat()}".encode()).hexdigest()[:16]
        host = urlsplit(public_url()).hostname or "ledger.invalid"
        message = EmailMultiAlternatives(
            notice.subject, text, self.config["MAIL_FROM"], [notice.to_address],
            headers={"Message-ID": f"<notice-{notice.id}-{digest}@{host}>",
                     "List-Unsubscribe": f"<{links(notice)['settings']}>"})
        message.attach_alternative(html, "text/html")
        try:
            self._connection().send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            return "failed", f"{type(exc).__name__}: {exc}"
        return "sent", None

    def close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def sender_from_config(config) -> Sender:
    return SmtpSender(config) if config.get("MAIL_SERVER") else LogSender()
