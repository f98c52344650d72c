"""The schema: every table, on one MetaData (Alembic reads it), one module per part.

Entries, voids, the audit trail, salary runs, transcripts and their revocations, rulebook
versions, licenses, audits and their findings are history: database triggers in the
migrations refuse UPDATE, DELETE and TRUNCATE, the application's database role may only
SELECT and INSERT them, and each of their rows is a link of the hash chain (`integrity.py`, `ledger/integrity/`).
`holdings` and `activity_keys` are the mutable indexes over them that make "one active
entry per educator and credential" (and per activity's content) database constraints."""

from .access import ApiToken, User, UserSession
from .audits import Audit, AuditCase, AuditFinding
from .base import (
    CHAINED_TABLES,
    HISTORY_TABLES,
    MAX_ID,
    NAMING_CONVENTION,
    Base,
    Timestamp,
    Units,
    db,
    lock_for_write,
    savepoint,
    utcnow,
)
from .credentials import EducatorIdentity, IssuerKey, ReceivedCredential
from .entries import ActivityKey, AuditEvent, Entry, Holding, Void
from .integrity import ChainLink
from .issued import SalaryRun, SalaryRunRow, Transcript, TranscriptRevocation
from .notices import Notice, NoticeDelivery, NoticeSetting
from .people import District, Educator, Employment, License, LicenseEvent, State
from .rules import Credential, CredentialReview, Issuer, PendingRulebook, RulebookVersion
from .seasons import SeasonItem, SeasonRun
from .standings import (
    StandingAnswer,
    StandingCard,
    StandingCount,
    StandingCycle,
    StandingEducator,
    StandingIssuerCount,
    StandingIssuerTotal,
    StandingState,
)
from .submissions import EntryEvidence, EvidenceFile, Submission

__all__ = [
    "HISTORY_TABLES", "MAX_ID", "NAMING_CONVENTION", "ActivityKey", "ApiToken", "Audit", "AuditCase", "AuditEvent",
    "AuditFinding", "Base",
    "CHAINED_TABLES", "ChainLink", "Credential", "CredentialReview", "District", "Educator", "Employment", "Entry",
    "EntryEvidence", "EvidenceFile", "Holding", "Notice", "NoticeDelivery", "NoticeSetting", "Submission",
    "Issuer", "License", "LicenseEvent", "PendingRulebook", "RulebookVersion", "SalaryRun", "SalaryRunRow",
    "StandingAnswer", "StandingCard", "StandingCount", "StandingCycle", "StandingEducator", "StandingIssuerCount",
    "StandingIssuerTotal", "StandingState",
    "State",
    "Timestamp",
    "Transcript", "TranscriptRevocation", "Units", "User", "UserSession", "Void", "db", "lock_for_write", "savepoint",
    "utcnow",
    "EducatorIdentity", "IssuerKey", "ReceivedCredential",
    "SeasonItem", "SeasonRun",
]
