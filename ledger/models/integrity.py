"""The hash chain over the history (see ledger/integrity/chain.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class ChainLink(db.Model):
    """One history record's link: its digest (of the row as stored) and the chain's hash
    up to and including it. `seq` numbers the links without gaps, in commit order."""

    __tablename__ = "chain_links"
    __table_args__ = (UniqueConstraint("record_type", "record_id"),)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    record_type: Mapped[str] = mapped_column(String(40))  # the record's table
    record_id: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
