"""Surges: many reports of one category in one place at once, detected and decided on."""
