"""/v1/kbs/{kb}/search: hybrid, lexical or dense search, filtered to what the caller may read."""
from __future__ import annotations

from fastapi import APIRouter

from rag.errors import DocumentNotFound
from rag.filters import Filters
from ui.api.deps import KbReader
from ui.api.errors import ApiError
from ui.api.models import FiltersIn, HitOut, SearchIn, SearchOut

router = APIRouter()


def filters_of(assistant, body: FiltersIn | None) -> Filters | None:
    """Request filters as `Filters`, documents named by id or file name (422 for one the caller can't read)."""
    if body is None:
        return None
    try:
        documents = tuple(assistant.document(ref).id for ref in body.documents)
    except DocumentNotFound as err:
        raise ApiError(422, "unknown_document_in_filter", str(err)) from err
    return Filters(documents, tuple(body.tags), body.folder, body.since, body.until)


@router.post("/kbs/{kb}/search", response_model=SearchOut, tags=["search"])
def search(body: SearchIn, assistant: KbReader) -> SearchOut:
    """Hybrid (BM25 over Kiwi morphemes + dense), lexical or dense search, filtered inside the indexes
    to the documents the caller may read."""
    filters = filters_of(assistant, body.filters)
    try:
        hits = assistant.search(body.query, body.k, filters, body.mode)
    except ValueError as err:  # dense search without an embedder
        raise ApiError(422, "invalid_request", str(err)) from err
    return SearchOut(query=body.query, mode=body.mode, hits=[HitOut.of(i, h) for i, h in enumerate(hits, 1)])
