"""GET /health: liveness for load balancers and compose (no key needed)."""
from __future__ import annotations

from fastapi import APIRouter

from rag.kb import KnowledgeBase
from ui.api.deps import JobsDep, SettingsDep
from ui.api.models import HealthOut

router = APIRouter()


@router.get("/health", response_model=HealthOut, tags=["health"])
def health(settings: SettingsDep, queue: JobsDep) -> HealthOut:
    """Liveness for load balancers and compose (no key needed); `degraded` when Redis is unreachable."""
    redis = queue.ping() if queue.kind == "redis" else None
    return HealthOut(status="degraded" if redis is False else "ok", queue=queue.kind, redis=redis,
                     knowledge_bases=len(KnowledgeBase.names(settings)))
