"""The audit trail every domain writes to."""
