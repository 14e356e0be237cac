"""Open311 GeoReport v2 server: the HTTP adapter other systems use to file and read reports."""
