"""/v1/jobs: follow ingest jobs (JSON or server-sent events), cancel and retry them."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from agents.jobs import JobInfo, JobNotFound, QueueUnavailable
from ui.api.deps import CallerDep, JobsDep
from ui.api.errors import ApiError
from ui.api.models import ErrorOut, JobOut
from ui.keys import Caller

router = APIRouter()
SSE_POLL_S = 0.5


def _mine(info: JobInfo, who: Caller) -> JobInfo:
    """A user sees their own jobs only (file names are not for everyone); 404 as if it did not exist."""
    if who.admin or info.user == who.user:
        return info
    raise JobNotFound(info.id, "no such job")


@router.get("/jobs", response_model=list[JobOut], tags=["jobs"])
def list_jobs(queue: JobsDep, who: CallerDep, kb: str | None = None, state: str | None = None,
              limit: int = 200) -> list[JobOut]:
    """Recent jobs, newest first; `state=failed` is the dead-letter list. Users see their own jobs."""
    if state not in (None, "queued", "running", "done", "failed", "cancelled"):
        raise ApiError(422, "invalid_request", "state must be queued, running, done, failed or cancelled")
    found = queue.list(kb, state, max(1, min(limit, 1000)))  # type: ignore[arg-type]
    return [JobOut.of(j) for j in found if who.admin or j.user == who.user]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
def job(job_id: str, queue: JobsDep, who: CallerDep) -> JobOut:
    return JobOut.of(_mine(queue.job(job_id), who))


@router.delete("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
def cancel(job_id: str, queue: JobsDep, who: CallerDep) -> JobOut:
    """Cancel a queued job (409 once it runs)."""
    _mine(queue.job(job_id), who)
    return JobOut.of(queue.cancel(job_id))


@router.post("/jobs/{job_id}/retry", response_model=JobOut, tags=["jobs"])
def retry(job_id: str, queue: JobsDep, who: CallerDep) -> JobOut:
    """Queue a failed job again once its cause is fixed (409 if it is not failed, or its upload is gone)."""
    _mine(queue.job(job_id), who)
    return JobOut.of(queue.retry(job_id))


@router.get("/jobs/{job_id}/events", tags=["jobs"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`event: job` with a JobOut as data on every change, until it is over"}})
async def events(job_id: str, queue: JobsDep, who: CallerDep) -> StreamingResponse:
    """Server-sent events: the job's state, stage and progress as they change."""
    first = _mine(await run_in_threadpool(queue.job, job_id), who)  # 404 before the stream starts

    async def stream():
        info, last = first, None
        while True:
            body = JobOut.of(info).model_dump_json()
            if body != last:
                yield f"event: job\ndata: {body}\n\n"
                last = body
            if info.over:
                return
            await asyncio.sleep(SSE_POLL_S)
            try:
                info = await run_in_threadpool(queue.job, job_id)
            except QueueUnavailable as err:  # Redis went away mid-stream: say so in-band, then end
                error = ErrorOut(error="queue_unavailable", detail=err.reason)
                yield f"event: error\ndata: {error.model_dump_json()}\n\n"
                return

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
