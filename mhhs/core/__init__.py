"""What every domain uses and no domain owns."""
