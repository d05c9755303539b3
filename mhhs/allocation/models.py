"""Test stages on environments (EAP Table 1, §12.1.1: the centralised Gantt chart; RCM §7.4)."""
from sqlalchemy import Column, Date, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from ..directory.models import DayPeriod
from ..extensions import db


class TestPhase(DayPeriod, db.Model):
    """A test phase in an environment (EAP §12.1.1: the centralised Gantt chart), e.g. "SIT Functional"."""

    __tablename__ = "test_phases"
    __test__ = False  # not a pytest class, whatever its name
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), nullable=False, index=True)
    first_day = Column(Date, nullable=False)
    last_day = Column(Date, nullable=False)
    environment = relationship("Environment")
