"""Benchmarks for JAGS Planner (``make bench``). Figures are wall time and peak
memory measured side by side in one run; compare ratios, not absolute seconds."""
