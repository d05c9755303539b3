"""Organisations, users, systems, environments, market roles and the roadmap."""
