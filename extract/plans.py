"""Plans: the versions of one plan (text, DOCX, PDF text layer, scan) grouped into one row.

Documents are the same plan when their plan_id agrees (issuer, number and date, or lacking
a number, issuer, title and date: metadata.plan_id). A version whose number or date could
not be read (an OCR miss) joins the plan of the same issuer that agrees on what it has
(number, date, or most of the title). A document that says too little to have a plan_id
(a news page: no issuer, number nor date) joins the one plan holding a version with the
same figures, written the same way in the same order (at least MIN_SHARED_FIGURES), so the
text, DOCX and PDF of one news page are one plan, not three counted three times; its OCR
version joins the one plan sharing NEAR_MATCH of its figures in order. The
preferred version is the most reliable reading: text or DOCX over a PDF text layer over OCR."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import PLAN_FIELDS
from .textnorm import words

# How reliable a reading is, best first (documents.method, then documents.format).
METHOD_RANK = {"text": 0, "pdf_text": 1, "mixed": 2, "ocr": 3}
FORMAT_RANK = {"txt": 0, "md": 1, "docx": 2, "pdf": 3, "image": 4}
# Share of the numbered plan's title words an unnumbered version must hold to join it.
TITLE_MATCH = 0.6
# Figures two versions without metadata must share, in order, to be taken for one document:
# fewer could be a coincidence between two short news items.
MIN_SHARED_FIGURES = 3
# An OCR version of such a document may misread a figure or drop one: it joins the one plan
# with a text version that has this share of its figures, in the same order (of the longer list).
NEAR_MATCH = 0.8
OCR_METHODS = frozenset({"ocr", "mixed"})
# The plan_id of a document with too little metadata (rows.describe_document): "d" + doc_id.
UNIDENTIFIED_PREFIX = "d"


@dataclass
class Plan:
    plan_id: str
    documents: list[dict] = field(default_factory=list)  # best reading first
    aliases: list[str] = field(default_factory=list)  # plan_ids of versions matched by title

    @property
    def preferred(self) -> dict:
        return self.documents[0]

    def row(self) -> dict:
        row = {
            "plan_id": self.plan_id,
            "preferred_doc_id": self.preferred["doc_id"],
            "doc_ids": [d["doc_id"] for d in self.documents],
            "formats": [d["format"] for d in self.documents],
            "versions": len(self.documents),
            "aliases": sorted(self.aliases),
        }
        for name in PLAN_FIELDS:
            row[name] = next((d.get(name) for d in self.documents if d.get(name) is not None), None)
        row["programs"] = next((list(d["programs"]) for d in self.documents if d.get("programs")), [])
        return row


def reading_rank(doc: dict) -> tuple:
    return (
        METHOD_RANK.get(doc.get("method") or "", 9),
        doc.get("status") != "ok",
        FORMAT_RANK.get(doc.get("format") or "", 9),
        doc["doc_id"],
    )


def group_plans(documents: list[dict], figures: dict[str, tuple[str, ...]] | None = None) -> list[Plan]:
    """One Plan per plan among the documents that were read (failed ones have none),
    ordered by plan_id. FIGURES: each document's money figures as written, in reading order
    (amounts.raw_text), which join the versions of a document without metadata."""
    groups: dict[str, list[dict]] = {}
    for d in documents:
        if d.get("status") != "failed" and d.get("plan_id"):
            groups.setdefault(d["plan_id"], []).append(d)
    plans = {pid: Plan(pid, sorted(docs, key=reading_rank)) for pid, docs in groups.items()}
    complete = [p for p in plans.values() if _number(p.preferred) and p.preferred.get("issue_date")]
    for pid in sorted(plans):
        plan = plans[pid]
        if _number(plan.preferred) and plan.preferred.get("issue_date"):
            continue
        target = _complete_match(plan, complete)
        if target is not None:
            target.documents = sorted(target.documents + plan.documents, key=reading_rank)
            target.aliases.append(pid)
            del plans[pid]
    _join_by_figures(plans, figures or {})
    _join_ocr_versions(plans, figures or {})
    return [plans[pid] for pid in sorted(plans)]


def _join_by_figures(plans: dict[str, Plan], figures: dict[str, tuple[str, ...]]) -> None:
    """The unidentified plans (one document each) that share their figures with others join
    the one identified plan holding them, or lacking one, the plan of the best reading."""
    holders: dict[tuple[str, ...], list[str]] = {}
    for pid in sorted(plans):
        for written in {figures.get(d["doc_id"], ()) for d in plans[pid].documents}:
            if len(written) >= MIN_SHARED_FIGURES:
                holders.setdefault(written, []).append(pid)
    for written in sorted(holders):
        unidentified = [pid for pid in holders[written] if pid.startswith(UNIDENTIFIED_PREFIX)]
        identified = [pid for pid in holders[written] if not pid.startswith(UNIDENTIFIED_PREFIX)]
        if len(identified) > 1 or len(holders[written]) < 2:
            continue  # the figures of two identified plans: which one is ambiguous
        # kept under an identified plan's id, or lacking one, the best reading's
        best = min(unidentified, key=lambda pid: reading_rank(plans[pid].preferred))
        keeper = plans[identified[0] if identified else best]
        for pid in unidentified:
            if plans[pid] is not keeper:
                keeper.documents = sorted(keeper.documents + plans.pop(pid).documents, key=reading_rank)
                keeper.aliases.append(pid)


def _join_ocr_versions(plans: dict[str, Plan], figures: dict[str, tuple[str, ...]]) -> None:
    """Each unidentified OCR version joins the one plan holding a version read from text
    (not OCR) whose figures are NEAR_MATCH of its own, in order: a misread figure or a lost
    line is no new document. Two OCR versions alone are not joined: both may be misread."""
    holders: dict[str, set[str]] = {}
    for pid, plan in plans.items():
        for d in plan.documents:
            for figure in figures.get(d["doc_id"], ()):
                holders.setdefault(figure, set()).add(pid)
    for pid in sorted(plans):
        doc = plans[pid].preferred
        written = figures.get(doc["doc_id"], ())
        if not pid.startswith(UNIDENTIFIED_PREFIX) or doc.get("method") not in OCR_METHODS:
            continue
        if len(written) < MIN_SHARED_FIGURES:
            continue
        candidates = sorted({o for f in written for o in holders.get(f, ()) if o != pid and o in plans})
        near = [
            o
            for o in candidates
            if any(
                d.get("method") not in OCR_METHODS
                and _in_order(written, figures.get(d["doc_id"], ())) >= NEAR_MATCH
                for d in plans[o].documents
            )
        ]
        if len(near) == 1:
            keeper = plans[near[0]]
            keeper.documents = sorted(keeper.documents + plans.pop(pid).documents, key=reading_rank)
            keeper.aliases.append(pid)


def _in_order(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The longest run of figures A and B share in the same order (not necessarily side by
    side), as a share of the longer list."""
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / max(len(a), len(b))


def _number(doc: dict) -> str | None:
    number = "".join((doc.get("doc_number") or "").upper().split())
    return number if number[:1].isdigit() else None


def _complete_match(plan: Plan, complete: list[Plan]) -> Plan | None:
    """The one plan with a number and a date that a version missing either (an OCR miss)
    belongs to: the same issuer, the same date when it has one, and the same number, or
    lacking one, most of the title's words."""
    doc = plan.preferred
    number, date = _number(doc), doc.get("issue_date")
    title = set(words(doc.get("title") or ""))
    candidates = []
    for other in complete:
        ref = other.preferred
        if ref.get("issuer") != doc.get("issuer") or (date is not None and ref.get("issue_date") != date):
            continue
        if number is not None:
            if _number(ref) == number:
                candidates.append(other)
            continue
        ref_title = set(words(ref.get("title") or ""))
        if ref_title and len(ref_title & title) / len(ref_title) >= TITLE_MATCH:
            candidates.append(other)
    return candidates[0] if len(candidates) == 1 else None
