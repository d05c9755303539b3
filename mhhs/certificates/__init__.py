"""PKI certificates per organisation and environment, PKI officers, expiry reminders."""
