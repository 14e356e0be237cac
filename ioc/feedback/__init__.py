"""The citizen-feedback domain: reports, categories, agencies, routing and their rules."""
