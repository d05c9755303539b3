"""The participants (EAP §5.3, §7.1, §8, §10, §11.3, §12.5.2, §13.1): the register, their own environments and
connection details, DIP onboarding and connectivity proving with its sign-off, the quality gate for testing."""
