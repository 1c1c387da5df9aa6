"""Scheduling engine for JAGS Planner: availability, calendar sources, proposals, invitations."""
