"""The environment outage log, the status board and availability figures."""
