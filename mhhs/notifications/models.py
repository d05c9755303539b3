"""Who follows what, and which kinds of notification each person has turned off."""
from sqlalchemy import Column, ForeignKey, Integer, String

from ..extensions import db


class Subscription(db.Model):
    """A user follows a system or an environment: its release communications, planned outages and updates."""

    __tablename__ = "subscriptions"
    SYSTEM, ENVIRONMENT, WEEKLY_REPORT = "system", "environment", "weekly_report"  # the report's target_id is 0
    user_id = Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(20), primary_key=True)
    target_id = Column(Integer, primary_key=True)


class NotificationOptOut(db.Model):
    """A kind of notification (notifications/services.py: KINDS) a user has turned off; the rest are on."""

    __tablename__ = "notification_opt_outs"
    user_id = Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(30), primary_key=True)
