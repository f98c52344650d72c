"""Demo submissions waiting in the queues on a first visit: the educator login's workshop
with a PDF certificate and a micro-credential with a photo of its certificate (Juab HR's
queue), and a Tennessee teacher's course with a PDF (the Tennessee office's queue).
Loaded once: nothing is added when any submission exists."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from ..access.principals import EDUCATOR, Principal
from ..models import Credential, Educator, Entry, State, Submission, User


def certificate_pdf(lines: list[str]) -> bytes:
    """A one-page PDF certificate (PDF 1.4, Helvetica), small and valid."""
    text = "BT /F1 22 Tf 60 300 Td (Certificate of completion) Tj /F1 13 Tf"
    for line in lines:
        clean = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text += f" 0 -30 Td ({clean}) Tj"
    stream = (text + " ET").encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 396] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def certificate_png(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "#fbf8f0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 627, 387), outline="#1d4e89", width=6)
    draw.text((48, 60), "CERTIFICATE", fill="#1d4e89", font_size=40)
    for i, line in enumerate(lines):
        draw.text((48, 150 + 40 * i), line, fill="#222222", font_size=22)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def load_submissions(session, principal: Principal, today: date, echo, store) -> None:
    from ..submissions.service import submit

    if session.scalar(select(Submission.id).limit(1)) is not None:
        return
    teacher = session.scalar(select(Educator).join(User, User.educator_id == Educator.id)
                             .where(User.role == EDUCATOR).order_by(User.id).limit(1))
    made = 0
    if teacher is not None:
        me = Principal(EDUCATOR, f"demo: {teacher.email or teacher.name}", educator_id=teacher.id)
        day = today - timedelta(days=12)
        submit(session, me, teacher.id, {"kind": "activity", "title": "Utah Core Standards summer workshop",
                                         "hours": 6, "tags": ["workshop"], "earned_on": day}, today, store,
               evidence_file=(certificate_pdf([teacher.name, "Utah Core Standards summer workshop",
                                               f"6 clock hours, {day:%d %B %Y}"]), "workshop-certificate.pdf"))
        held = select(Entry.credential_id).where(Entry.educator_id == teacher.id, Entry.credential_id.is_not(None))
        code = session.scalar(select(Credential.code).where(Credential.reviewed.is_(True), Credential.id.not_in(held))
                              .order_by(Credential.code.desc()).limit(1))  # one she does not hold: approvable
        if code:
            submit(session, me, teacher.id, {"kind": "microcredential", "credential": code,
                                             "earned_on": today - timedelta(days=5)}, today, store,
                   evidence_file=(certificate_png([teacher.name, code, f"{today - timedelta(days=5):%d %B %Y}"]),
                                  "certificate-photo.png"))
        made += 1 + bool(code)
    tn = session.scalar(select(Educator).join(State, Educator.state_id == State.id).where(State.code == "TN")
                        .order_by(Educator.id.desc()).limit(1))
    if tn is not None:
        day = today - timedelta(days=30)
        submit(session, Principal(EDUCATOR, f"demo: {tn.name}", educator_id=tn.id), tn.id,
               {"kind": "activity", "title": "Graduate course: Assessment literacy", "amount": 3,
                "measure": "semester_hour", "earned_on": day}, today, store,
               evidence_file=(certificate_pdf([tn.name, "Assessment literacy (EDU 612)",
                                               f"3 semester hours, {day:%d %B %Y}"]), "transcript-edu612.pdf"))
        made += 1
    session.commit()
    echo(f"{made} submissions waiting for approval (with their evidence files)")
