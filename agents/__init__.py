"""The agent layer and korag's Python API (`Assistant`)."""
from agents.assistant import Assistant

__all__ = ["Assistant"]
