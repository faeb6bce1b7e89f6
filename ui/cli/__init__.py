"""`korag`: the command line (`korag = "ui.cli:run"`, or `python -m ui.cli`).

app.py builds the root app and reads the settings once; each command module (documents, kb, evaluation,
answers, queue, serve, ocr, acl) adds its commands through `register(app)`; common.py is what they share.
"""
from ui.cli.app import app, run

__all__ = ["app", "run"]
