"""The release schedule: the calendar, freezes, support hours, the test-phase plan and calendar feeds."""
