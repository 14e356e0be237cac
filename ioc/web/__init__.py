"""Pages and probes that belong to no API: the home page and the health check."""
