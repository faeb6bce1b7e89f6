"""/v1/kbs: list, create, inspect and delete knowledge bases."""
from __future__ import annotations

from fastapi import APIRouter, Response

from rag import embed_state
from rag.kb import KnowledgeBase
from ui.api.deps import AdminDep, AssistantsDep, CallerDep, KbAdmin, SettingsDep
from ui.api.errors import ApiError
from ui.api.models import KbIn, KbInfoOut, KbOut
from ui.keys import Caller

router = APIRouter()


def _info(knowledge: KnowledgeBase, who: Caller | None = None) -> KbOut:
    # a user counts only what they may read: the size of what they can't see is not revealed
    reader = knowledge.reader(who.user, who.admin) if who is not None and who.user else None
    c = knowledge.store.counts(reader)
    return KbOut(name=knowledge.name, documents=c["documents"], chunks=c["chunks"])


@router.get("/kbs", response_model=list[KbOut], tags=["knowledge bases"])
def list_kbs(settings: SettingsDep, who: CallerDep) -> list[KbOut]:
    """Every knowledge base under KORAG_HOME with its size (what the caller may read)."""
    found = []
    for name in KnowledgeBase.names(settings):  # a plain open: no Assistant (LLM client, history) per KB
        knowledge = KnowledgeBase.open(settings, name)
        found.append(_info(knowledge, who))
        knowledge.close()
    return found


@router.post("/kbs", response_model=KbOut, status_code=201, tags=["knowledge bases"])
def create_kb(body: KbIn, settings: SettingsDep, _: AdminDep) -> KbOut:
    """Create an empty knowledge base (409 if it exists; admins only)."""
    if (settings.kb_path(body.name) / "kb.sqlite").exists():
        raise ApiError(409, "knowledge_base_exists", f"knowledge base {body.name!r} already exists")
    knowledge = KnowledgeBase.open(settings, body.name, create=True)
    created = _info(knowledge)
    knowledge.close()
    return created


@router.get("/kbs/{kb}", response_model=KbInfoOut, tags=["knowledge bases"])
def kb_info(assistant: KbAdmin) -> KbInfoOut:
    """Sizes, dense vectors and how many chunks still wait for one (admins only)."""
    knowledge = assistant.kb
    base = _info(knowledge)
    vectors = embed_state.vectors(knowledge)
    size = sum(p.stat().st_size for p in knowledge.path.rglob("*") if p.is_file())
    return KbInfoOut(**base.model_dump(), vectors=vectors.done, pending_embeddings=vectors.total - vectors.done,
                     embedding=vectors.embedding, status=vectors.label(),
                     embedder=knowledge.store.meta_all().get("embedder"), disk_bytes=size)


@router.delete("/kbs/{kb}", status_code=204, tags=["knowledge bases"])
def delete_kb(kb: str, settings: SettingsDep, assistants: AssistantsDep, _: AdminDep) -> Response:
    """Delete a knowledge base and everything in it (admins only)."""
    KnowledgeBase.delete(settings, kb)
    assistants.forget(kb)
    return Response(status_code=204)
