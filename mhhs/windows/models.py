"""Freezes: periods in which only Emergency releases may deploy."""
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, Text, Time
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..directory.models import DayPeriod
from ..extensions import db


class Freeze(DayPeriod, db.Model):
    """A period in which only Emergency releases may deploy, in one environment or all (a critical test stage)."""

    __tablename__ = "freezes"
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), index=True)  # empty: every one
    first_day = Column(Date, nullable=False, index=True)
    last_day = Column(Date, nullable=False, index=True)
    reason = Column(Text, nullable=False)
    created_by_id = Column(ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    environment = relationship("Environment")

    @property
    def scope(self):
        return self.environment.name if self.environment else "Every environment"


class ReleaseSlot(db.Model):
    """The programme's weekly release slot (RCM Table 3, §7.4: weekly Minor releases, indicatively Monday afternoon),
    kept by Release Managers: one row, Europe/London weekday (0 = Monday) and times."""

    __tablename__ = "release_slots"
    id = Column(Integer, primary_key=True)
    weekday = Column(Integer, nullable=False, default=0)
    start = Column(Time, nullable=False)
    end = Column(Time, nullable=False)
