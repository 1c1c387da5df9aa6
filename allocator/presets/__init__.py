"""The policy presets shipped with the engine, one TOML file each."""

PRESETS = ("norfolk", "bedfordshire", "cheshire-west")
"""Preset names (``<name>.toml`` beside this file)."""
