"""What the maps draw: report counts per tile at low zoom, report points at high zoom."""
