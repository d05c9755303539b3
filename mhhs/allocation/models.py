"""Environment allocation (EAP §7.1, §12.1, §12.2; RCM §7.4): test stages on environments (the centralised Gantt
chart), the recorded permissions for two exclusive stages to overlap, timed slots (one-off or a weekday series), and
the notice a slot needs."""
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..directory.models import DayPeriod
from ..extensions import db


class TestPhase(DayPeriod, db.Model):
    """A test stage in an environment (EAP Table 1, §12.1.1), e.g. "SIT Functional". An exclusive stage runs alone on
    its environment (EAP §12.2: "Different tests phases will not be run on the same environment")."""

    __tablename__ = "test_phases"
    __test__ = False  # not a pytest class, whatever its name
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), nullable=False, index=True)
    first_day = Column(Date, nullable=False)
    last_day = Column(Date, nullable=False)
    exclusive = Column(Boolean, nullable=False, default=False, server_default=false())
    environment = relationship("Environment")


class StageOverlap(db.Model):
    """A Release Manager's record that two exclusive stages may overlap on their environment, and why."""
    __tablename__ = "stage_overlaps"
    __table_args__ = (UniqueConstraint("first_id", "second_id"),)
    id = Column(Integer, primary_key=True)
    first_id = Column(ForeignKey("test_phases.id", ondelete="CASCADE"), nullable=False, index=True)  # lower id
    second_id = Column(ForeignKey("test_phases.id", ondelete="CASCADE"), nullable=False, index=True)
    reason = Column(Text, nullable=False)
    recorded_by_id = Column(ForeignKey("users.id"), nullable=False)
    recorded_at = Column(DateTime, nullable=False)
    first = relationship("TestPhase", foreign_keys=[first_id])
    second = relationship("TestPhase", foreign_keys=[second_id])
    recorded_by = relationship("User")


class Purpose(str, enum.Enum):
    """What a timed slot is for (EAP §12.1.2)."""
    TESTING = "testing"
    RETEST = "retest"
    DATA_LOAD = "data_load"
    CONNECTIVITY = "connectivity"

    @property
    def label(self):
        return _PURPOSE_LABELS[self]

    @property
    def gated(self):
        """Whether the quality gate applies (EAP §11.3): testing needs connectivity signed off; proving it and
        loading data do not."""
        return self in (Purpose.TESTING, Purpose.RETEST)


_PURPOSE_LABELS = {Purpose.TESTING: "Testing", Purpose.RETEST: "Retest", Purpose.DATA_LOAD: "Data load",
                   Purpose.CONNECTIVITY: "Connectivity proving"}


class SlotStatus(str, enum.Enum):
    REQUESTED = "requested"  # a participant asked; a Release Manager approves or declines
    WAITING = "waiting"  # on the waitlist: the time is held by another slot
    OFFERED = "offered"  # the time came free: offered to the waiting participant, who takes it
    ALLOCATED = "allocated"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return self.value.capitalize()


# The slots that hold their environment's time (a clash for another slot).
HOLDING = (SlotStatus.ALLOCATED, SlotStatus.OFFERED)
# The slots a Release Manager still decides.
PENDING = (SlotStatus.REQUESTED,)
# The slots that still stand (shown on calendars and in feeds).
STANDING = (SlotStatus.ALLOCATED, SlotStatus.OFFERED, SlotStatus.REQUESTED, SlotStatus.WAITING)


slot_participants = Table(
    "slot_participants",
    db.metadata,
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SlotSeries(db.Model):
    """A recurring slot: the same times on weekdays until a day (at most a year); each occurrence is a Slot that can
    be moved or cancelled alone."""
    __tablename__ = "slot_series"
    id = Column(Integer, primary_key=True)
    first_day = Column(Date, nullable=False)
    until = Column(Date, nullable=False)
    created_by_id = Column(ForeignKey("users.id"), nullable=False)


class Slot(db.Model):
    """A timed slot (EAP §12.1.2): an environment, a stage, participants, [start, end) in naive UTC, a purpose."""
    __tablename__ = "slots"
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    phase_id = Column(ForeignKey("test_phases.id", ondelete="SET NULL"), index=True)
    start = Column(DateTime, nullable=False, index=True)
    end = Column(DateTime, nullable=False)
    purpose = Column(Enum(Purpose, native_enum=False, length=20), nullable=False)
    status = Column(Enum(SlotStatus, native_enum=False, length=20), nullable=False, index=True)
    exclusive = Column(Boolean, nullable=False, default=True, server_default=true())  # holds the environment alone
    series_id = Column(ForeignKey("slot_series.id", ondelete="SET NULL"), index=True)
    note = Column(Text, nullable=False, default="", server_default="")
    reason = Column(Text, nullable=False, default="", server_default="")  # a decline's or cancellation's
    requested_by_id = Column(ForeignKey("users.id"), nullable=False)
    requested_at = Column(DateTime, nullable=False)
    changed_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)  # a feed's SEQUENCE follows it
    decided_by_id = Column(ForeignKey("users.id"))
    decided_at = Column(DateTime)
    environment = relationship("Environment")
    phase = relationship("TestPhase")
    series = relationship("SlotSeries")
    participants = relationship("Participant", secondary=slot_participants, order_by="Participant.id")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def holds(self):
        return self.status in HOLDING


class AllocationRule(db.Model):
    """The allocation's rules as data: the advance notice a slot needs, in business days (EAP §7.1.2)."""
    __tablename__ = "allocation_rules"
    id = Column(Integer, primary_key=True)
    notice_days = Column(Integer, nullable=False, default=2, server_default="2")


DEFAULT_NOTICE_DAYS = 2
