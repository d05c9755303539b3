"""Outages of an environment's systems, planned or unplanned (EAP §12.5, §12.6)."""
import enum

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import relationship

from ..core.db import value_enum
from ..core.time import utcnow
from ..extensions import db


class Category(str, enum.Enum):
    DATA_REFRESH = "data refresh"
    DATA_LOAD = "data load"
    INFRASTRUCTURE_MAINTENANCE = "infrastructure maintenance"
    INFRASTRUCTURE_PATCHING = "infrastructure patching"
    CODE_DEPLOYMENT = "code deployment"
    ROLLBACK = "rollback"
    INFRASTRUCTURE_FAILURE = "infrastructure failure"
    SOFTWARE_FAILURE = "software failure"


PLANNED_CATEGORIES = (Category.DATA_REFRESH, Category.DATA_LOAD, Category.INFRASTRUCTURE_MAINTENANCE,
                      Category.INFRASTRUCTURE_PATCHING, Category.CODE_DEPLOYMENT, Category.ROLLBACK)
UNPLANNED_CATEGORIES = (Category.INFRASTRUCTURE_FAILURE, Category.SOFTWARE_FAILURE)

outage_systems = Table(
    "outage_systems",
    db.metadata,
    Column("outage_id", ForeignKey("outages.id", ondelete="CASCADE"), primary_key=True),
    Column("system_id", ForeignKey("systems.id"), primary_key=True, index=True),
)


class Outage(db.Model):
    __tablename__ = "outages"
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    # The organisation whose systems are down (not necessarily the one that reported it).
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    planned = Column(Boolean, nullable=False, index=True)
    category = Column(value_enum(Category, 30), nullable=False, index=True)
    start = Column(DateTime, nullable=False, index=True)  # UTC
    end = Column(DateTime, index=True)  # empty while ongoing
    description = Column(Text, nullable=False, default="")
    impact = Column(Text, nullable=False, default="")
    defect_reference = Column(String(40), nullable=False, default="")
    # EAP §12.5.2: an unplanned outage that blocks testing; the Release Managers of its phase are told at once.
    blocking = Column(Boolean, nullable=False, default=False, server_default="0")
    root_cause = Column(Text, nullable=False, default="")
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="SET NULL"), index=True)
    reported_by_id = Column(ForeignKey("users.id"), nullable=False)
    reporter_organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    row_version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": row_version}

    environment = relationship("Environment")
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    reporter_organisation = relationship("Organisation", foreign_keys=[reporter_organisation_id])
    reported_by = relationship("User")
    rfc = relationship("Rfc")
    systems = relationship("System", secondary=outage_systems, order_by="System.name")
    updates = relationship("OutageUpdate", back_populates="outage", order_by="OutageUpdate.at.desc()",
                           cascade="all, delete-orphan")

    def is_ongoing(self, now):
        return self.start <= now and (self.end is None or self.end > now)


Index("ix_outages_environment_start", Outage.environment_id, Outage.start)
# The outages going on at a moment (the home pages' cards): those still open or ending after it, their start read
# beside their end.
Index("ix_outages_end_start", Outage.end, Outage.start)


class UpdateStatus(str, enum.Enum):
    """Where an outage in progress stands, as status pages say it."""
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class OutageUpdate(db.Model):
    """One line of an outage's timeline: where it stands, a note, who and when."""

    __tablename__ = "outage_updates"
    id = Column(Integer, primary_key=True)
    outage_id = Column(ForeignKey("outages.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(value_enum(UpdateStatus, 15), nullable=False)
    note = Column(Text, nullable=False)
    by_id = Column(ForeignKey("users.id"), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    outage = relationship("Outage", back_populates="updates")
    by = relationship("User")


class DowntimeDay(db.Model):
    """The downtime of one environment on one Europe/London day that has ended, by kind (total, planned, unplanned
    or a category's value): what the availability figures add up instead of reading every outage. Kept by the
    outage services (downtime.py); `flask outages rebuild-downtime` makes them again from the outages."""

    __tablename__ = "outage_downtime_days"
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True)
    day = Column(Date, primary_key=True, index=True)
    kind = Column(String(30), primary_key=True)
    microseconds = Column(BigInteger, nullable=False)  # exact: the days of a period add up to its figure


class DowntimeMonth(db.Model):
    """The stored days of one environment and calendar month added up by kind, kept with the days (downtime.py): a
    12-month view reads a few hundred of these instead of some 10,000 days."""

    __tablename__ = "outage_downtime_months"
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True)
    month = Column(Date, primary_key=True)  # its first day
    kind = Column(String(30), primary_key=True)
    microseconds = Column(BigInteger, nullable=False)


class DowntimeState(db.Model):
    """How far the downtime days are complete: every day up to complete_through has its rows."""

    __tablename__ = "outage_downtime_state"
    id = Column(Integer, primary_key=True)
    complete_through = Column(Date)
