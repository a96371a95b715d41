"""Middleware shared by the whole site."""
