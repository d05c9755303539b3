"""Environment allocation (EAP §7.1, §12.1; RCM §7.4): test stages on environments, tranches and timed slots."""
