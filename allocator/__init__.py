"""Allocation engine for JAGS Planner."""
