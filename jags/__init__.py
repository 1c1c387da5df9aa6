"""JAGS Planner application layer: CLI, files, reports."""
