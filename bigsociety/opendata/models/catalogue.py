"""Catalogue models: datasets, resources, releases, licences, themes."""
