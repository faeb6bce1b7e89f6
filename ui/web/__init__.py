"""The Streamlit portal (`korag serve`): 질문하기, 문서, 요약, 추출, OCR and a status page.

`app.py` is the entry script; `views/` holds one script per page; the other modules are the
parts those pages share (cached resources, the citation viewer, uploads, page images).
"""
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
