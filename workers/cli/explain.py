"""`passion explain "phrase" --list likes`: which labeller decided, its top themes, and why."""

from __future__ import annotations

import json
from dataclasses import asdict

import click


def _labels(labels: tuple) -> str:  # type: ignore[type-arg]
    return ", ".join(f"{lab.theme} {lab.polarity:+d} ({lab.confidence:.2f})" for lab in labels) or "none"


@click.command()
@click.argument("phrase")
@click.option("--list", "list_name", type=click.Choice(["likes", "dislikes"]), default="likes",
              show_default=True, help="Which list the phrase is in.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(phrase: str, list_name: str, as_json: bool) -> None:
    """Show how one like or dislike is labelled, and why.

    Prints the top themes with probabilities, the words that pushed the top theme, the polarity reading,
    and what the rule cascade would have said."""
    from workers.analysis.explain import explain as explain_phrase
    from workers.cli.install_check import require_engine

    if not phrase.strip():
        raise click.BadParameter('is blank: give the like or dislike to explain, e.g. '
                                 'passion explain "legal research"', param_hint="PHRASE")
    require_engine()
    found = explain_phrase(phrase, list_name)
    if as_json:
        click.echo(json.dumps(asdict(found), ensure_ascii=False))
        return
    click.echo(f"labels:     {_labels(found.labels)}   [{found.labeller}]")
    click.echo("top themes: " + "  ".join(f"{theme} {p:.2f}" for theme, p in found.top_themes))
    model = "turned round" if found.flip_probability >= 0.5 else "as the list says"
    source = ("the rule cascade's cues decide (it reads the same theme)" if found.polarity_from_rules
              else "the polarity model decides")
    click.echo(f"polarity:   model: {model} (p(turned) = {found.flip_probability:.2f}); {source}")
    click.echo("pushed by:  " + "  ".join(f"{name} {value:+.2f}" for name, value in found.pushes))
    click.echo("neighbours: " + ("  ".join(f"{theme} {share:.2f}" for theme, share in found.neighbour_votes)
                                 or "off (no neighbour bank installed)"))
    click.echo(f"rules say:  {_labels(found.rule_labels)}"
               + (f"   (lexicon: {'; '.join(found.rule_mentions)})" if found.rule_mentions else ""))
