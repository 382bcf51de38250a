"""Which text skills an analysis keeps: plainly right ones stay, wrong-field ones go.

The histories are written for these tests (legal support, healthcare, software, warehouse, retail,
education, finance). Only text-sourced skills are looked at (no passions given), and the likes are
labelled here, so the theme engine's own changes do not move these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.analysis.skills_support import tag as tag_skills
from workers.analysis.result import Evidence, Label, Phrase
from workers.analysis.skills import fields, tag, themes
from workers.analysis.skills import index as skill_index


def _job(title: str, description: str, likes: list[str]) -> dict[str, Any]:
    return {"title": title, "employer": "Employer", "start": "2019-01", "end": "2021-06",
            "description": description, "likes": likes, "dislikes": []}


def _phrases(jobs: list[dict[str, Any]], theme: str = "research") -> list[dict[str, Any]]:
    """Every like read as liked work (one theme, positive), as the theme engine would give it."""
    return [{"job": j, "list": "likes", "index": i, "text": text,
             "labels": [{"theme": theme, "polarity": 1, "confidence": 0.9}]}
            for j, job in enumerate(jobs) for i, text in enumerate(job["likes"])]


def text_skills(*jobs: dict[str, Any]) -> list[dict[str, Any]]:
    """The text-sourced skills of a history made of these jobs."""
    history = {"candidate_id": "t", "jobs": list(jobs)}
    return [e for e in tag_skills(history, _phrases(list(jobs)), []) if e["source"] == "text"]


def labels(entries: list[dict[str, Any]]) -> set[str]:
    return {e["label"] for e in entries}


def domains(label: str) -> frozenset[str]:
    idx = skill_index.get()
    i = idx.find(label)
    assert i is not None, label
    return fields.skill_domains(idx.labels[i], idx.groups[i])


PI_ASSISTANT = _job(
    "Legal Assistant",
    "Personal injury firm. Opened new claim files, requested hospital and clinic records for clients, "
    "and kept the lawyers' calendars. Drafted affidavits and sworn statements for the lawyers to review.",
    ["chasing down medical records from clinics", "drafting affidavits for the lawyers"])
NURSE = _job("Staff Nurse",
             "Cared for post-operative patients on a surgical ward and administered their medications.",
             ["teaching patients about their medications"])
PARALEGAL = _job("Paralegal", "Drafted affidavits and prepared motion records for a litigation practice.",
                 ["drafting affidavits", "requesting medical records from hospitals"])


def test_legal_assistant_requesting_medical_records_gets_no_patient_care_skill() -> None:
    out = text_skills(PI_ASSISTANT)
    assert "take affidavits" in labels(out)
    assert not labels(out) & {"advise medical staff", "identify patients' medical records",
                              "collect statistics on medical records"}
    assert all("health" not in domains(e["label"]) for e in out)
    assert all("patient" not in e["label"] and "medical" not in e["label"] for e in out)


def test_each_field_keeps_its_own_skills_from_its_own_job() -> None:
    out = {e["label"]: e for e in text_skills(NURSE, PARALEGAL)}
    assert "administer prescribed medication" in out
    assert "take affidavits" in out
    for entry in out.values():
        jobs = {ev["job"] for ev in entry["evidence"]}
        if "health" in domains(entry["label"]):
            assert jobs == {0}, entry  # the nurse's job, never the paralegal's medical records
        if "law" in domains(entry["label"]):
            assert jobs == {1}, entry


@pytest.mark.parametrize(("job", "kept", "dropped"), [
    (_job("Backend Developer", "Built REST APIs in Python and maintained the PostgreSQL databases.",
          ["writing SQL queries", "reviewing pull requests"]),
     {"SQL", "PostgreSQL"}, set()),
    (_job("Forklift Operator",
          "Loaded trailers and moved pallets with a forklift in a cold-storage warehouse.",
          ["operating the forklift"]),
     {"operate forklift"}, set()),
    (_job("Bookseller", "Shelved, sold and recommended books at an independent bookshop.",
          ["writing the handwritten shelf-talker cards for staff picks",
           "finding the right book for a customer"]),
     {"recommend books to customers"}, {"design greeting cards", "deal cards"}),
    (_job("Grade 3 Teacher", "Taught a grade 3 class of 26 pupils at a public school.",
          ["running the robotics club after school", "teaching kids to read"]),
     {"teach reading strategies"}, {"robotics", "grading systems", "grade foods"}),
    (_job("Staff Accountant", "Prepared month-end journal entries and bank reconciliations.",
          ["preparing financial statements"]),
     {"prepare financial statements"}, {"manage staff", "develop staff"}),
    (_job("Cashier", "Cashier at a supermarket.", ["cash balancing at the end of the shift"]),
     set(), {"monitor cashiers"}),
    (_job("Barista", "Made espresso drinks and ran the till at a busy cafe.", ["pouring latte art"]),
     set(), {"handle art", "pour concrete"}),
])
def test_plainly_right_kept_and_plainly_wrong_dropped(job: dict[str, Any], kept: set[str],
                                                      dropped: set[str]) -> None:
    out = labels(text_skills(job))
    assert kept <= out
    assert not dropped & out


def test_a_title_does_not_supervise_its_own_role_unless_it_leads() -> None:
    assert "monitor cashiers" not in labels(text_skills(_job("Cashier", "", [])))
    assert not {"supervise nursing staff"} & labels(text_skills(_job("Staff Nurse", "", [])))
    assert "monitor cashiers" in labels(text_skills(_job("Cashier Supervisor", "", [])))
    lead = {e["label"]: e for e in text_skills(
        _job("Head Cashier", "Supervised six cashiers and balanced the tills.", []))}
    assert {"job": 0, "list": "title", "index": 0} in lead["monitor cashiers"]["evidence"]
    assert tag._LEADS.search("Cashier / Shift Lead") and not tag._LEADS.search("Cashier")


def test_likes_about_conditions_or_nothing_give_no_skill() -> None:
    job = _job("Office Administrator", "", ["set hours, home by six", "free parking", "processing invoices"])
    phrases = [
        {"job": 0, "list": "likes", "index": 0, "text": job["likes"][0],
         "labels": [{"theme": "structure", "polarity": 1, "confidence": 0.9}]},
        {"job": 0, "list": "likes", "index": 1, "text": job["likes"][1], "labels": []},
        {"job": 0, "list": "likes", "index": 2, "text": job["likes"][2],
         "labels": [{"theme": "numbers", "polarity": 1, "confidence": 0.9}]},
    ]
    typed = [Phrase(p["job"], p["list"], p["index"], p["text"], tuple(Label(**lab) for lab in p["labels"]))
             for p in phrases]
    units = tag._texts([job], typed)
    assert [ev for _, ev in units if ev.list == "likes"] == [Evidence(0, "likes", 2)]


def test_one_weak_text_is_not_enough_but_two_are() -> None:
    one = text_skills(_job("Paralegal", "", ["drafting affidavits for the lawyers"]))  # take affidavits ~1.08
    two = text_skills(_job("Paralegal", "Drafted affidavits for a litigation practice.",
                           ["drafting affidavits for the lawyers"]))
    assert "take affidavits" not in labels(one)
    assert "take affidavits" in labels(two)


def test_output_is_deterministic_and_capped() -> None:
    jobs = [NURSE, PARALEGAL, PI_ASSISTANT,
            _job("Backend Developer", "Built REST APIs in Python. Maintained the PostgreSQL databases.",
                 ["writing SQL queries", "automating deployments with Docker"])]
    first, second = text_skills(*jobs), text_skills(*jobs)
    assert first == second
    assert 0 < len(first) <= tag.MAX_TEXT_SKILLS


@pytest.mark.parametrize(("label", "expected"), [
    ("identify patients' medical records", {"health"}),
    ("advise medical staff", {"health"}),
    ("emergency medicine", {"health"}),  # by its ESCO knowledge group (medicine)
    ("take affidavits", {"law"}),
    ("family law", {"law"}),
    ("design greeting cards", {"arts"}),
    ("robotics", {"electronics"}),
    ("operate forklift", {"transport"}),
    ("SQL", set()),
    ("customer service", set()),
    ("work in teams", set()),
    ("prepare financial statements", set()),
])
def test_skill_domains(label: str, expected: set[str]) -> None:
    assert domains(label) == expected


def test_a_job_admits_the_domains_of_its_field() -> None:
    health, law = frozenset({"health"}), frozenset({"law"})
    legal = fields.job(PI_ASSISTANT)
    assert legal.field == "legal"  # the title decides, however often the text says "medical"
    assert not fields.admits(health, legal) and fields.admits(law, legal)
    assert fields.admits(frozenset(), legal)  # open skills: every field
    ward = fields.job(NURSE)
    assert ward.field == "healthcare" and fields.admits(health, ward) and not fields.admits(law, ward)
    desk = fields.job(_job("Receptionist", "Front desk of a dental clinic: booked patients.", []))
    assert desk.field == "healthcare"  # a title naming no field leaves it to the description
    guard = fields.Job(themes.DEFAULT, "Security Guard\nDid night patrols of a parking garage.")
    assert fields.admits(frozenset({"security"}), guard)  # its own words name the domain
    assert not fields.admits(health, guard)


def test_domain_file_is_consistent() -> None:
    table = fields.load()
    assert set().union(*table.admit.values()) <= set(themes.load().fields)
    assert all(prefix.startswith("K") for prefix, _ in table.groups)
    assert len({prefix for prefix, _ in table.groups}) == len(table.groups)
