"""`python -m ui.cli`: the same as the `korag` console script."""
from ui.cli.app import run

run()
