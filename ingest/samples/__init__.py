"""Small Korean sample documents (one per supported format) written for korag; see generate.py."""
from pathlib import Path

FILES = Path(__file__).parent / "files"
