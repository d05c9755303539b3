"""Readiness (EAP §4.3, §6.1, §7.2.2, §12.1.1, §12.2, §12.4; RCM §4.3, §6.2): entry criteria, environment proving
tests, the daily morning health check, GO / NO-GO decisions and the EWG's monthly review."""
