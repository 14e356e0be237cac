"""The legal clock: the working calendar, the province's policy, the clock engine, the
sweep, pauses and extensions."""
