"""What the weekly report remembers: the weeks it has been sent for, so a second run sends nothing."""
from sqlalchemy import Column, DateTime, Integer, String

from ..core.time import utcnow
from ..extensions import db


class WeeklyReportSent(db.Model):
    __tablename__ = "weekly_reports_sent"
    week = Column(String(8), primary_key=True)  # ISO week, e.g. 2026-W48
    sent_at = Column(DateTime, nullable=False, default=utcnow)
    recipients = Column(Integer, nullable=False)
