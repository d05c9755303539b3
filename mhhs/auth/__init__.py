"""Login, logout, throttling and password hashing."""
