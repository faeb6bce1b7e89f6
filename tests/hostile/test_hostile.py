"""The hostile input corpus (tests/hostile/build.py) through the real pipeline, in one batch.

Every case is refused with a reason a person can act on, or ingested safely; each within 30 s and
1 GiB of memory growth; the batch goes on past every failure and a refused file leaves no trace.

    .venv/bin/python -m pytest tests/hostile -s    # -s shows the table: case, outcome, seconds, peak RSS
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.pipeline import FileResult, Ingestor
from rag.kb import KnowledgeBase
from rag.settings import Settings
from tests.hostile.build import INJECTION, PASSWD_MARKERS, Case, build
from tests.hostile.meter import Meter, Usage

MAX_SECONDS = 30.0
MAX_GROWTH_MIB = 1024.0


class MeteredIngestor(Ingestor):
    """The real Ingestor; each file's read, parse and store is timed and its peak memory taken."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, meter: Meter) -> None:
        super().__init__(kb, settings)
        self.meter = meter
        self.usage: dict[str, Usage] = {}
        self._depth = 0

    @contextmanager
    def _metered(self, name: str) -> Iterator[None]:
        if self._depth:  # _read calls _prepare: count the outer call only
            yield
            return
        self._depth += 1
        try:
            with self.meter.measure() as usage:
                yield
        finally:
            self._depth -= 1
        seen = self.usage.get(name)
        if seen is not None:  # the store of a file parsed earlier in the batch: add it up
            usage = Usage(seen.seconds + usage.seconds, seen.start_mib, max(seen.peak_mib, usage.peak_mib))
        self.usage[name] = usage

    def _read(self, path: Path):
        with self._metered(path.name):
            return super()._read(path)

    def _prepare(self, data: bytes, name: str, source: str, started: float):
        with self._metered(name):
            return super()._prepare(data, name, source, started)

    def _store(self, item, chunks):
        with self._metered(item.name):
            return super()._store(item, chunks)


@dataclass(frozen=True)
class Outcome:
    case: Case
    route: str  # "disk" (ingest_paths) or "upload" (ingest_many)
    result: FileResult
    usage: Usage
    kb_before: tuple[int, int, int]  # documents, chunks, stored files: just before this result
    kb_after: tuple[int, int, int]


@dataclass(frozen=True)
class Run:
    kb: KnowledgeBase
    cases: list[Case]
    outcomes: list[Outcome]
    batch_seconds: float
    baseline_mib: float
    peak_mib: float


def _kb_state(kb: KnowledgeBase) -> tuple[int, int, int]:
    counts = kb.store.counts()
    files = sum(1 for p in (kb.path / "files").rglob("*") if p.is_file()) if (kb.path / "files").exists() else 0
    return counts["documents"], counts["chunks"], files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, kiwi) -> Iterator[Run]:
    """The corpus ingested: on-disk files as one `ingest_paths` batch, hostile names as one upload batch."""
    root = tmp_path_factory.mktemp("hostile")
    cases = build(root / "corpus")
    settings = Settings(home=root / "home", kb="hostile")  # default limits: what a real install enforces
    kb = KnowledgeBase.open(settings, create=True)
    meter = Meter()
    ingestor = MeteredIngestor(kb, settings, meter)
    by_name = {c.file_name: c for c in cases}
    outcomes: list[Outcome] = []
    state = [_kb_state(kb)]

    def collect(route: str) -> Callable[[FileResult], None]:
        def on_result(result: FileResult) -> None:
            after = _kb_state(kb)
            outcomes.append(Outcome(by_name[result.name], route, result, ingestor.usage[result.name], state[0], after))
            state[0] = after
        return on_result

    uploads = [(c.data, c.file_name, f"upload:{c.name}") for c in cases if c.name.startswith("name ")]
    with meter.measure() as batch:
        disk = ingestor.ingest_paths([root / "corpus"], on_result=collect("disk"))
        ingestor.usage.clear()
        upload = ingestor.ingest_many(uploads, on_result=collect("upload"))
    assert len(disk) == sum(c.on_disk for c in cases) and len(upload) == len(uploads), "the batch stopped early"
    yield Run(kb, cases, outcomes, batch.seconds, batch.start_mib, batch.peak_mib)
    kb.close()


def _table(run: Run) -> str:
    """One line per file, in corpus order; +MiB is the peak over the RSS when that file began."""
    order = {case.name: i for i, case in enumerate(run.cases)}
    lines = [f"{'case':32} {'route':6} {'outcome':9} {'seconds':>7} {'peak MiB':>8} {'+MiB':>6}  reason",
             "-" * 120]
    for o in sorted(run.outcomes, key=lambda o: (o.route != "disk", order[o.case.name])):
        reason = (o.result.error or f"{o.result.format}, {o.result.chunks} chunks")[:60]
        lines.append(f"{o.case.name:32} {o.route:6} {o.result.status:9} {o.usage.seconds:7.2f} "
                     f"{o.usage.peak_mib:8.0f} {o.usage.growth_mib:6.0f}  {reason}")
    lines.append(f"{len(run.outcomes)} files in {run.batch_seconds:.1f} s (Kiwi splitting included); "
                 f"RSS {run.baseline_mib:.0f} MiB before, peak {run.peak_mib:.0f} MiB")
    return "\n".join(lines)


def test_each_case_is_bounded_in_time_and_memory(hostile, capsys):
    with capsys.disabled():
        print("\n" + _table(hostile))
    slow = [(o.case.name, round(o.usage.seconds, 1)) for o in hostile.outcomes if o.usage.seconds > MAX_SECONDS]
    heavy = [(o.case.name, round(o.usage.growth_mib)) for o in hostile.outcomes if o.usage.growth_mib > MAX_GROWTH_MIB]
    assert not slow, f"over {MAX_SECONDS} s: {slow}"
    assert not heavy, f"over {MAX_GROWTH_MIB} MiB of growth: {heavy}"


def test_every_case_is_refused_or_safe_as_expected(hostile):
    wrong = [(o.case.name, o.route, o.result.status, o.result.error) for o in hostile.outcomes
             if (o.result.status == "failed") != (o.case.expect == "refused")]
    assert not wrong


def test_refusals_name_the_file_and_give_the_reason_on_one_line(hostile):
    for o in hostile.outcomes:
        if o.case.expect != "refused":
            continue
        error = o.result.error or ""
        assert o.result.name == o.case.file_name, o.case.name
        assert o.case.reason.lower() in error.lower(), (o.case.name, error)
        assert "\n" not in error and "\x00" not in error and "Traceback" not in error, (o.case.name, error)


def test_a_refused_file_leaves_the_kb_as_it_was(hostile):
    for o in hostile.outcomes:
        if o.result.status == "failed":
            assert o.kb_after == o.kb_before, (o.case.name, o.kb_before, o.kb_after)
        elif o.result.status == "added":
            assert o.kb_after[0] == o.kb_before[0] + 1 and o.kb_after[2] == o.kb_before[2] + 1, o.case.name
    stored = {d.name for d in hostile.kb.documents()}
    assert stored == {o.case.file_name for o in hostile.outcomes if o.result.status == "added"}
    documents, _, files = _kb_state(hostile.kb)
    assert files == documents, "every stored file belongs to a document, and only those"


def test_safe_cases_are_stored_verbatim_and_searchable(hostile):
    for o in hostile.outcomes:
        if o.case.expect != "safe" or not o.result.ok:
            continue
        assert o.case.fmt is None or o.result.format == o.case.fmt, (o.case.name, o.result.format)
        text = "\n".join(c.text for c in hostile.kb.store.document_chunks(o.result.document_id))
        for snippet in o.case.contains:
            assert snippet in text, (o.case.name, snippet)
            hits = hostile.kb.search_lexical(snippet, k=10)
            assert o.result.document_id in {h.document.id for h in hits}, (o.case.name, snippet)
        for snippet in o.case.excludes + PASSWD_MARKERS:
            assert snippet not in text, (o.case.name, snippet)


def test_prompt_injection_is_ordinary_text(hostile):
    """The injection sentence is content like any other: stored as written; no title or warning comes of it."""
    injected = [o for o in hostile.outcomes if "injection" in o.case.name]
    assert len(injected) == 2
    for o in injected:
        doc = hostile.kb.document(o.result.document_id)
        assert (o.result.status, o.result.warnings, doc.name) == ("added", (), o.case.file_name)
        assert INJECTION not in (doc.title or "")


def test_the_meter_sees_a_short_lived_allocation():
    """The table's memory column is worth trusting: 256 MiB held for a moment shows up."""
    meter = Meter()
    with meter.measure() as usage:
        block = b"\1" * (256 * 2**20)  # written, so every page is resident
        del block
    assert usage.growth_mib >= 200 and usage.seconds < 5
