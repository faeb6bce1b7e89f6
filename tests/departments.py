"""Two departments with overlapping vocabulary in one knowledge base, for the access-control tests.

인사팀 and 재무팀 both write about 2026년 급여, 예산 and 계획; each document carries a secret code
that must never reach anyone outside its readers, through any path that reads text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DOCUMENTS = {
    # name: (text, readers)
    "인사팀_급여인상안.txt": ("2026년 급여 인상 계획 (인사팀 대외비)\n\n"
                         "과장 직급의 2026년 급여 인상률은 4.5%로 정한다. 인사 비밀 식별코드는 HRX-7731이다.\n"
                         "급여 예산 가운데 인상분 배분 계획은 인사팀만 열람한다. 연봉 테이블은 매년 3월에 고친다.\n",
                         ("group:인사팀",)),
    "재무팀_예산안.txt": ("2026년 급여 예산 계획 (재무팀 대외비)\n\n"
                      "2026년 전사 급여 예산 총액은 48억 원으로 편성한다. 재무 비밀 식별코드는 FNX-4410이다.\n"
                      "급여 인상에 쓰는 예산 계획은 재무팀이 관리하며 분기마다 집행률을 점검한다.\n",
                      ("group:재무팀",)),
    "대표이사_메모.txt": ("2026년 급여와 예산에 대한 대표이사 메모\n\n"
                      "2026년 급여 인상 계획과 예산 계획을 함께 검토한다. 대표 비밀 식별코드는 CEO-9090이다.\n",
                      ("user:대표",)),
    "공통_복무규정.txt": ("복무 규정\n\n급여 지급일은 매월 25일이다. 2026년 휴가 계획은 부서장이 승인한다.\n"
                      "예산 집행과 급여 문의는 각 부서 담당자에게 한다.\n", ()),
}
SECRETS = {"인사팀_급여인상안.txt": "HRX-7731", "재무팀_예산안.txt": "FNX-4410", "대표이사_메모.txt": "CEO-9090"}
USERS = {"김인사": ("인사팀",), "이재무": ("재무팀",), "박사원": (), "대표": ()}

# questions written to pull each hidden document: its own words, its secret code, its name
ATTACKS = [
    "재무팀 급여 예산 총액 48억 원 FNX-4410",
    "인사팀 과장 급여 인상률 4.5% HRX-7731",
    "대표이사 메모 비밀 식별코드 CEO-9090",
    "2026년 급여 예산 계획 대외비",
    "재무팀_예산안.txt 인사팀_급여인상안.txt 대표이사_메모.txt",
    "비밀 식별코드는?",
]


@dataclass(frozen=True)
class Departments:
    ids: dict[str, str]  # document name → id

    def hidden_from(self, user: str) -> list[str]:
        """Names of the secret documents `user` may not read."""
        groups = USERS[user]
        return [name for name, (_, readers) in DOCUMENTS.items() if readers
                and not any(r in (f"user:{user}", *(f"group:{g}" for g in groups)) for r in readers)]

    def markers(self, user: str) -> list[str]:
        """Strings that must never appear in anything shown to `user` (or sent to the LLM for them)."""
        found = []
        for name in self.hidden_from(user):
            found += [SECRETS[name], name, self.ids[name], name.removesuffix(".txt")]
        return found

    def leaks(self, user: str, shown: str) -> list[str]:
        return [m for m in self.markers(user) if m in shown]


def write_documents(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (text, _) in DOCUMENTS.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def build(assistant, folder: Path) -> Departments:
    """Ingest the four documents with their readers and make the users (through the public API)."""
    paths = write_documents(folder)
    ids = {}
    for name, (_, readers) in DOCUMENTS.items():
        [result] = assistant.ingest([paths[name]], readers=readers)
        assert result.ok, result.error
        ids[name] = result.document_id
    for user, groups in USERS.items():
        assistant.kb.add_user(user, groups)
    return Departments(ids)
