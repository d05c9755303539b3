"""RFCs, their revisions and release notes, versions, approvals and control points."""
