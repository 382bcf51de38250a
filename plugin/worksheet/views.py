"""The candidate's pages: the worksheet (GET shows, POST saves, adds a job or submits), autosave, the
result and corrections. The token in the URL is the only key, and every view sees only its candidate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError

from plugin.storage import worksheets
from plugin.storage.models import Analysis, Candidate, CandidateStatus, WorksheetLink
from plugin.storage.worksheets import LinkState
from plugin.worksheet import forms, links, result, submit
from plugin.worksheet.blueprint import bp
from schemas.candidate_worksheet import CorrectionSchema
from schemas.history import MAX_JOBS

MAX_BLANK_JOBS = 5
_REFUSALS = {
    LinkState.UNKNOWN: (404, "This link does not work",
                        "Check that you copied the whole link, or ask your recruiter for a new one."),
    LinkState.EXPIRED: (410, "This link has expired",
                        "Ask your recruiter for a new link: what you saved is kept."),
    LinkState.REVOKED: (410, "This link was withdrawn",
                        "Your recruiter withdrew it. Ask them for a new link if you still need one."),
    LinkState.LIMITED: (429, "Too many requests",
                        "This link was used very often in the last few minutes. Wait ten minutes and "
                        "reload the page: nothing you saved is lost."),
}


def with_link(view: Callable[..., Any]) -> Callable[..., Any]:
    """Resolve the URL's token to its open link and candidate, or answer with why it does not open."""

    @wraps(view)
    def wrapper(token: str, **kwargs: Any) -> Any:
        link_id = links.link_id_from(token)
        check = (worksheets.check_link(link_id, limit=current_app.config["WORKSHEET_RATE_LIMIT"])
                 if link_id else worksheets.LinkCheck(LinkState.UNKNOWN))
        if check.state != LinkState.OPEN or check.candidate is None:
            state = check.state if check.state != LinkState.OPEN else LinkState.UNKNOWN
            status, title, message = _REFUSALS[state]
            return render_template("worksheet/refused.html", title=title, message=message), status
        return view(token=token, link=check.link, candidate=check.candidate, **kwargs)

    return wrapper


def _render_worksheet(token: str, link: WorksheetLink, candidate: Candidate, jobs: list[dict[str, str]],
                      *, errors: dict[str, list[str]] | None = None, saved: bool = False,
                      blank: int = 1) -> str:
    draft = worksheets.draft_of(candidate.id)
    room = max(0, MAX_JOBS - len(jobs))
    shown = jobs + [{}] * min(blank, room, MAX_BLANK_JOBS)
    return render_template("worksheet/worksheet.html", token=token, link=link, jobs=shown,
                           errors=errors or {}, saved=saved, max_jobs=MAX_JOBS, has_draft=draft is not None,
                           submitted_at=draft.submitted_at if draft else None)


@bp.get("/worksheet/<token>")
@with_link
def worksheet(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """The candidate's draft and the jobs the CRM knows that it lacks, and one empty job to add."""
    jobs = worksheets.jobs_to_show(candidate.id, (candidate.history or {}).get("jobs", []))
    blank = max(1, request.args.get("blank", 1, type=int) or 1)
    return _render_worksheet(token, link, candidate, forms.as_form(jobs),
                             saved=bool(request.args.get("saved")), blank=blank)


@bp.post("/worksheet/<token>")
@with_link
def save(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """Save the draft ("save", "add" another job) or submit it; nothing is stored when a field is wrong."""
    action = request.form.get("action", "save")
    parsed = forms.parse(request.form)
    if parsed.jobs is not None and action == "submit" and not parsed.jobs:
        parsed.errors = {"jobs": ["Add at least one job before sending."]}
        parsed.jobs = None
    if parsed.jobs is None:
        return _render_worksheet(token, link, candidate, forms.as_form(parsed.shown),
                                 errors=parsed.errors), 422
    if action == "submit":
        submit.submit(candidate, parsed.jobs)
        worksheets.save_draft(candidate.id, parsed.jobs, submitted=True)
        return redirect(url_for("worksheet.result_page", token=token))
    worksheets.save_draft(candidate.id, parsed.jobs)
    if action == "add":
        return redirect(url_for("worksheet.worksheet", token=token, blank=2,
                                _anchor=f"job-{len(parsed.jobs) + 1}"))
    return redirect(url_for("worksheet.worksheet", token=token, saved=1))


@bp.post("/worksheet/<token>/draft")
@with_link
def autosave(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """The script's save-as-you-type: the same checks as the form, answered in JSON."""
    parsed = forms.parse(request.form)
    if parsed.jobs is None:
        return jsonify(saved=False, errors=parsed.errors), 422
    worksheets.save_draft(candidate.id, parsed.jobs)
    return jsonify(saved=True)


def _current_analysis(candidate: Candidate) -> Analysis | None:
    latest = candidate.latest_analysis
    return latest if latest is not None and latest.history_version == candidate.history_version else None


def _render_result(token: str, candidate: Candidate, *, errors: dict[str, list[str]] | None = None) -> str:
    analysis = _current_analysis(candidate)
    if analysis is None:
        return render_template("worksheet/pending.html", token=token,
                               failed=candidate.status == CandidateStatus.FAILED)
    view = result.build(analysis.result, (candidate.history or {}).get("jobs", []),
                        worksheets.corrections_of(candidate.id))
    return render_template("worksheet/result.html", token=token, view=view, errors=errors or {})


@bp.get("/worksheet/<token>/result")
@with_link
def result_page(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """The themes, skills and what to do with them; a waiting page until the analysis is stored."""
    return _render_result(token, candidate)


@bp.get("/worksheet/<token>/status")
@with_link
def status(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """For the waiting page's script: whether the result of the current answers is ready."""
    return jsonify(ready=_current_analysis(candidate) is not None,
                   failed=candidate.status == CandidateStatus.FAILED)


@bp.post("/worksheet/<token>/corrections")
@with_link
def correct(token: str, link: WorksheetLink, candidate: Candidate) -> Any:
    """"That's not me" or a note on one theme, kept beside the analysis (never replaced by the worker)."""
    raw = {"kind": request.form.get("kind", ""), "theme": request.form.get("theme", ""),
           "rejected": request.form.get("rejected") == "yes", "note": request.form.get("note", "").strip()}
    try:
        loaded = CorrectionSchema().load(raw)
    except ValidationError as exc:
        key = f"{raw['kind']}-{raw['theme']}"
        errors = {key: [f"{name}: {' '.join(texts)}" for name, texts in exc.normalized_messages().items()]}
        return _render_result(token, candidate, errors=errors), 422
    worksheets.set_correction(candidate, **loaded)
    return redirect(url_for("worksheet.result_page", token=token,
                            _anchor=f"{loaded['kind']}-{loaded['theme']}"))
