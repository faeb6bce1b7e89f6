"""`korag api`: the HTTP API (FastAPI) over knowledge bases, documents, ingest jobs and search.

`create_app(settings)` builds it (app.py); each resource's routes are in routes/, what they share
(settings, the caller, the KB's Assistant, the job queue) is handed to them by deps.py.
"""
from ui.api.app import app_from_env, create_app
from ui.keys import ApiKeysMissing, Caller, KeyRing, key_digest, new_key

__all__ = ["ApiKeysMissing", "Caller", "KeyRing", "app_from_env", "create_app", "key_digest", "new_key"]
