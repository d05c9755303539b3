"""The outbox and SMTP delivery."""
