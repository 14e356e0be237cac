"""People: staff accounts and sessions, citizens, callers filed for by staff, the audit log."""
