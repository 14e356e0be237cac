"""Places: administrative areas, boundary import, the in-process index and spatial queries."""
