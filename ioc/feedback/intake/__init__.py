"""Intake: filing a report once (idempotency), its photos and attributes, reference codes and
routing it to an agency."""
