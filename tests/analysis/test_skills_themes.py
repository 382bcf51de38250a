"""Theme-to-skill links, with phrases written for legal support and for other fields of work."""

from __future__ import annotations

import json

import pytest

from tests.analysis.skills_support import tag as tag_skills
from workers.analysis.skills import index as skill_index
from workers.analysis.skills import themes

CATALOGUE = ["research", "writing", "analysis", "client_contact", "persuasion", "presenting",
             "coordination", "detail_work", "technology", "numbers", "teamwork", "leadership",
             "mentoring", "helping", "creativity", "autonomy", "fast_pace", "structure", "hands_on",
             "learning"]


def history(title: str, description: str, like: str) -> dict:
    """One job, one liked phrase."""
    return {"candidate_id": "t", "jobs": [{"title": title, "description": description,
                                           "likes": [like], "dislikes": []}]}


def theme_labels(title: str, description: str, like: str, theme: str) -> list[str]:
    """Labels of the theme skills that a single liked phrase about ``theme`` gives."""
    phrases = [{"job": 0, "list": "likes", "index": 0, "text": like,
                "labels": [{"theme": theme, "polarity": 1, "confidence": 0.9}]}]
    passions = [{"theme": theme, "label": theme, "jobs": [0], "strength": 0.9}]
    out = tag_skills(history(title, description, like), phrases, passions)
    return [s["label"] for s in out if s["source"] == "theme"]


LEGAL = "Law firm: supported two litigation partners with filings, discovery and client files."

LEGAL_CASES = [
    ("research", "Law Clerk", "digging through case law for the partners", "legal research"),
    ("research", "Law Clerk", "tracking down precedents nobody else could find", "organise information"),
    ("writing", "Paralegal", "drafting pleadings and motions", "compile legal documents"),
    ("coordination", "Legal Assistant", "keeping the trial calendar and case files in order",
     "legal case management"),
    ("detail_work", "Paralegal", "cite-checking briefs before they went out", "proofread text"),
    ("hands_on", "Legal Assistant", "court runs and filing at the registry", "file documents"),
    ("numbers", "Legal Secretary", "doing the monthly billing for the partners",
     "monitor billing procedures"),
    ("client_contact", "Paralegal", "intake calls with new clients",
     "meet with clients for legal services"),
    ("presenting", "Trainee Solicitor", "standing up in the tribunal", "present legal arguments"),
    ("technology", "Litigation Support Specialist", "running the e-discovery platform",
     "manage data for legal matters"),
]


@pytest.mark.parametrize(("theme", "title", "like", "expected"), LEGAL_CASES)
def test_legal_support_links(theme: str, title: str, like: str, expected: str) -> None:
    assert expected in theme_labels(title, LEGAL, like, theme)


OTHER_FIELDS = [
    ("science", "research", "Laboratory Technician", "Biotech lab running assays on samples.",
     "designing experiments and chasing down odd results", "perform scientific research"),
    ("healthcare", "client_contact", "Staff Nurse", "Surgical ward at a city hospital.",
     "talking with patients and their families", "interact with healthcare users"),
    ("healthcare", "teamwork", "Staff Nurse", "Surgical ward at a city hospital.",
     "the way doctors, nurses and physios pulled together", "work in multidisciplinary health teams"),
    ("software", "technology", "Software Developer", "Built internal web tools.",
     "building tools in Python", "computer programming"),
    ("finance", "numbers", "Staff Accountant", "Month-end close and payroll for a bank.",
     "reconciling the numbers at month end", "use accounting systems"),
    ("sales", "persuasion", "Retail Sales Associate", "Electronics store on the high street.",
     "talking customers into the better model", "sell products"),
    ("education", "mentoring", "Primary School Teacher", "Year 4 classroom, 28 pupils.",
     "helping the children who were struggling with reading", "tutor students"),
    ("marketing", "writing", "Marketing Coordinator", "Small agency doing social media for brands.",
     "writing blog posts and newsletters", "perform copywriting"),
    ("construction", "hands_on", "Warehouse Operative", "Picking and loading at a logistics hub.",
     "being on my feet and moving stock all day", "lift heavy weights"),
    ("social", "helping", "Support Worker", "Night shifts at a homeless shelter.",
     "making a real difference for residents", "advocate for social service users"),
]


@pytest.mark.parametrize(("field", "theme", "title", "description", "like", "expected"),
                         OTHER_FIELDS, ids=[f"{c[0]}-{c[1]}" for c in OTHER_FIELDS])
def test_links_in_other_fields(field: str, theme: str, title: str, description: str, like: str,
                               expected: str) -> None:
    table = themes.load()
    assert themes.field_of([title, description, like], table) == field
    assert expected in theme_labels(title, description, like, theme)


def test_same_theme_reads_differently_by_field() -> None:
    legal = theme_labels("Law Clerk", LEGAL, "researching case law", "research")
    lab = theme_labels("Research Assistant", "University chemistry lab.", "researching new assays",
                       "research")
    office = theme_labels("Office Assistant", "Front office of a small firm.",
                          "looking things up for people", "research")
    assert legal[0] == "legal research"
    assert lab[0] == "perform scientific research"
    assert office[0] == "consult information sources"
    assert not set(legal) & set(lab)


def test_every_theme_has_a_default_link_to_real_skills() -> None:
    table = themes.load()
    idx = skill_index.load(vectors=None)
    assert set(table.links) == set(CATALOGUE)
    for theme, by_field in table.links.items():
        assert themes.DEFAULT in by_field, theme
        for link in by_field.values():
            assert 1 <= len(link.skills) <= 2, (theme, link.field)
            assert link.source in table.sources, (theme, link.field)
            for label in link.skills:
                i = idx.find(label)
                assert i is not None and idx.labels[i] == label, (theme, label)


def test_links_cover_the_catalogue_in_its_order() -> None:
    from schemas.catalogue import THEME_IDS

    assert list(THEME_IDS) == CATALOGUE


def test_link_file_is_valid_json_with_sources() -> None:
    doc = json.loads(themes.LINKS_FILE.read_text(encoding="utf-8"))
    assert doc["reviewed"] and set(doc["sources"]) == {"issue4", "themes", "themes+field"}


@pytest.mark.parametrize(("title", "field"), [
    ("Biochemist", "science"), ("Registered Midwife", "healthcare"), ("Youth Worker", "social"),
    ("Receptionist", "default"), ("Office Manager", "default"),
])
def test_titles_without_keywords_fall_back_to_meaning(title: str, field: str) -> None:
    assert themes.field_of([title], themes.load(), titles=[title]) == field
