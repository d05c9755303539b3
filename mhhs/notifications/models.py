"""Who follows what, which kinds of notification each person has turned off, and the distribution lists."""
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..directory.models import Phase
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


mail_group_members = Table(
    "mail_group_members",
    db.metadata,
    Column("mail_group_id", ForeignKey("mail_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MailGroup(db.Model):
    """A named distribution list (RCM Table 8 and §6.3.1, EAP §6.2): the programme's standing lists (EWG, SIT and UIT
    participants, Defect Triage; `key` set, directory/reference_data.py: MAIL_GROUPS) and any a Release Manager
    makes. Release communications, planned-outage announcements and the weekly report go to the lists chosen."""

    __tablename__ = "mail_groups"
    EWG, SIT_PARTICIPANTS, UIT_PARTICIPANTS, DEFECT_TRIAGE = "ewg", "sit_participants", "uit_participants", "triage"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    purpose = Column(Text, nullable=False, default="", server_default="")
    key = Column(String(20), unique=True)  # a standing list the app sends to by itself; empty: made by hand
    weekly_report = Column(Boolean, nullable=False, default=False, server_default="0")  # its members receive it
    created_at = Column(DateTime, nullable=False, default=utcnow)
    members = relationship("User", secondary=mail_group_members, order_by="User.name")

    @classmethod
    def participants_key(cls, phase):
        """The standing list of the participants who test in a phase's environments."""
        return cls.SIT_PARTICIPANTS if Phase(phase) == Phase.SIT else cls.UIT_PARTICIPANTS
