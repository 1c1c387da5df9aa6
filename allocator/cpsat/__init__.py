"""The general CP-SAT allocation model (any policy, including co-facilitation)."""

from allocator.cpsat.solve import solve_cpsat

__all__ = ["solve_cpsat"]
