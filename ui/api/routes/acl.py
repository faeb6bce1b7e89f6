"""The API's access-control routes: a KB's users and groups, each document's readers, the audit log.

All of them are for admins (service keys, KORAG_API_ADMINS, or users marked admin in the KB).
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from ui.api.deps import CallerDep, KbAdmin
from ui.api.errors import ApiError

router = APIRouter()


class UserIn(BaseModel):
    groups: list[str] = Field(default_factory=list, description="The user's groups (departments); replaces earlier ones")
    admin: bool = Field(False, description="Manages this KB and reads all of it")


class UserOut(BaseModel):
    name: str
    admin: bool
    groups: list[str]


class GroupIn(BaseModel):
    members: list[str] = Field(default_factory=list, description="User names added to the group")


class GroupOut(BaseModel):
    name: str
    members: list[str]


class AclOut(BaseModel):
    users: list[UserOut]
    groups: list[GroupOut]


class ReadersIn(BaseModel):
    readers: list[str] = Field(description="group:<name> or user:<name>; empty: everyone who can use the KB",
                               examples=[["group:인사팀", "user:김민수"]])


class ReadersOut(BaseModel):
    document_id: str
    document: str
    readers: list[str]


def _acl_of(kb) -> AclOut:
    access = kb.store.access
    return AclOut(users=[UserOut(name=n, admin=a, groups=list(g)) for n, a, g in access.users()],
                  groups=[GroupOut(name=n, members=list(m)) for n, m in access.groups()])


@router.get("/kbs/{kb}/acl", response_model=AclOut, tags=["access"])
def show_acl(kb: str, assistant: KbAdmin) -> AclOut:
    """The KB's users (with their groups) and groups (with their members)."""
    return _acl_of(assistant.kb)


@router.put("/kbs/{kb}/acl/users/{user}", response_model=UserOut, tags=["access"])
def put_user(kb: str, user: str, body: UserIn, assistant: KbAdmin, who: CallerDep) -> UserOut:
    """Add or update a user: exactly these groups; `admin` manages the KB."""
    knowledge = assistant.kb
    reader = knowledge.add_user(user, tuple(body.groups), body.admin, only=True, by=who.user)
    return UserOut(name=reader.user or user, admin=reader.admin, groups=list(reader.groups))


@router.delete("/kbs/{kb}/acl/users/{user}", status_code=204, tags=["access"])
def delete_user(kb: str, user: str, assistant: KbAdmin, who: CallerDep) -> Response:
    """Remove a user; documents only they could read become readable by admins only."""
    knowledge = assistant.kb
    if not knowledge.remove_user(user, by=who.user):
        raise ApiError(404, "user_not_found", f"no user {user!r} in knowledge base {kb!r}")
    return Response(status_code=204)


@router.put("/kbs/{kb}/acl/groups/{group}", response_model=GroupOut, tags=["access"])
def put_group(kb: str, group: str, body: GroupIn, assistant: KbAdmin, who: CallerDep) -> GroupOut:
    """Create a group (a department) and add members to it."""
    knowledge = assistant.kb
    knowledge.add_group(group, tuple(body.members), by=who.user)
    members = dict(knowledge.store.access.groups()).get(group.strip(), ())
    return GroupOut(name=group.strip(), members=list(members))


@router.delete("/kbs/{kb}/acl/groups/{group}", status_code=204, tags=["access"])
def delete_group(kb: str, group: str, assistant: KbAdmin, who: CallerDep) -> Response:
    """Remove a group; documents only it could read become readable by admins only."""
    knowledge = assistant.kb
    if not knowledge.remove_group(group, by=who.user):
        raise ApiError(404, "group_not_found", f"no group {group!r} in knowledge base {kb!r}")
    return Response(status_code=204)


@router.get("/kbs/{kb}/documents/{doc}/readers", response_model=ReadersOut, tags=["access"])
def get_readers(kb: str, doc: str, assistant: KbAdmin) -> ReadersOut:
    knowledge = assistant.kb
    record = knowledge.document(doc)
    return ReadersOut(document_id=record.id, document=record.name, readers=list(knowledge.readers(record.id)))


@router.put("/kbs/{kb}/documents/{doc}/readers", response_model=ReadersOut, tags=["access"])
def put_readers(kb: str, doc: str, body: ReadersIn, assistant: KbAdmin, who: CallerDep) -> ReadersOut:
    """Replace who may read a document; an empty list opens it to everyone who can use the KB."""
    knowledge = assistant.kb
    record = knowledge.set_readers(doc, tuple(body.readers), by=who.user)
    return ReadersOut(document_id=record.id, document=record.name, readers=list(knowledge.readers(record.id)))


@router.get("/kbs/{kb}/audit", tags=["access"],
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                             "description": "One entry per request: time, user, groups, action, query, mode, documents"}})
def audit(kb: str, assistant: KbAdmin, since: datetime | None = None, until: datetime | None = None,
          user: str | None = None, action: str | None = None, format: Literal["jsonl", "csv"] = "jsonl") -> Response:
    """Export the audit log: who asked what and which documents answered."""
    knowledge = assistant.kb
    body = knowledge.audit.export(knowledge.audit.entries(since, until, user, action), format)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": "attachment; filename=audit.{0}; filename*=UTF-8''{1}-audit.{0}"
                             .format(format, quote(kb))})
