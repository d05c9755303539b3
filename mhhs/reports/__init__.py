"""Reports: the weekly testing and readiness report (EAP §12.1.1)."""
