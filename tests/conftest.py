"""Shared fixtures: the ledger's databases (SQLite and a real PostgreSQL server)."""

pytest_plugins = ["ledger_fixtures"]
