"""The show's domain: roles, participants, the hand queue, the stage rules and data messages.

Pure Python: it imports nothing from Qt, aiohttp or livekit (an import-linter contract in
pyproject.toml keeps it so).
"""
