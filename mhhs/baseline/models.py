"""The configuration baseline: the version of each system running in each environment, and each cell's history."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..extensions import db


class DeployedVersion(db.Model):
    """A cell of the configuration baseline: the version of a system running now in an environment, since when,
    and the RFC that put it there (none when a Release Manager recorded it)."""

    __tablename__ = "deployed_versions"
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False)
    system_id = Column(ForeignKey("systems.id"), nullable=False, index=True)
    version = Column(String(40), nullable=False)
    rfc_id = Column(ForeignKey("rfcs.id"))
    deployed_at = Column(DateTime, nullable=False, default=utcnow)
    rfc = relationship("Rfc")
    __table_args__ = (UniqueConstraint("environment_id", "system_id", name="uq_deployed_versions_environment_id"),)


class BaselineChange(db.Model):
    """One line of a cell's history: a deployment's outcome, or a version a Release Manager recorded or imported."""

    __tablename__ = "baseline_changes"
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False)
    system_id = Column(ForeignKey("systems.id"), nullable=False)
    version = Column(String(40), nullable=False)  # running afterwards
    since = Column(DateTime, nullable=False)
    what = Column(String(20), nullable=False)  # recorded, imported, deployed, rolled back, fixed forward
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="SET NULL"))
    reason = Column(Text, nullable=False, default="")
    by_id = Column(ForeignKey("users.id"))
    at = Column(DateTime, nullable=False, default=utcnow)
    rfc = relationship("Rfc")
    by = relationship("User")
    __table_args__ = (Index("ix_baseline_changes_cell", "environment_id", "system_id", "since"),)
