"""The candidate's passion worksheet: a personal signed link opens one candidate's jobs to fill in (likes
and dislikes), saved as they go; submitting enters the history as a CRM event would, and the result page
shows what it means for them. No sign-in: the link is the key (plugin/worksheet/links.py).

Every form carries a CSRF token (Flask-WTF, tied to the browser's session cookie); the pages allow our own
script (autosave) and nothing else (CONTENT_POLICY)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint with its routes and the recruiter panel's template helper."""
    import plugin.worksheet.views  # noqa: F401  (adds the candidate's routes to bp)
    from plugin.worksheet import recruiter  # adds the recruiter's routes to bp
    from plugin.worksheet.blueprint import bp

    app.register_blueprint(bp)
    app.add_template_global(recruiter.worksheet_panel, "worksheet_panel")
