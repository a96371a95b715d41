"""Right-to-data request models."""
