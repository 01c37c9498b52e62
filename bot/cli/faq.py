"""`refundbot faq ask`: what the bot would answer to a question."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from bot.cli.common import cli_settings, faq_app, with_db

# faq ---------------------------------------------------------------------------------------


@faq_app.command("ask")
def faq_ask(
    question: Annotated[
        str | None, typer.Argument(help="the question; omit to read one question a line from stdin")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print JSON (JSON Lines for stdin)")
    ] = False,
) -> None:
    """Show what the bot would answer to a question."""
    from conversations.faq import default_matcher

    matcher = default_matcher()

    def answer(q: str) -> str:
        match = matcher.match(q)
        if as_json:
            return json.dumps(
                {
                    "topic": match.topic.id if match.topic else None,
                    "score": round(match.score, 3),
                    "answer": match.topic.answer if match.topic else None,
                    "alternatives": [t.id for t in match.alternatives],
                },
                ensure_ascii=False,
            )
        if match.topic is not None:
            return f"[{match.topic.id}] {match.topic.answer}".replace("\n", " ")
        if match.alternatives:
            return "[unsure] maybe: " + ", ".join(t.id for t in match.alternatives)
        return "[off-topic]"

    if question is not None:
        typer.echo(answer(question))
        return
    # One answer line per question; a blank line is no question (a file's trailing newlines).
    for line in sys.stdin:
        if not line.strip():
            continue
        typer.echo(answer(line.strip()))
        sys.stdout.flush()


@faq_app.command("misses")
def faq_misses(
    limit: Annotated[int, typer.Option(min=1, max=500, help="how many to list")] = 20,
) -> None:
    """The questions customers asked most that the FAQ could not place (numbers removed)."""
    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return await uow.faq.top_misses(limit), await uow.faq.ratings()

    misses, ratings = with_db(settings, go, upgrade=False)
    if not misses:
        typer.echo("No unanswered questions yet.")
    for text, count in misses:
        typer.echo(f"{count:>5}  {text}")
    if ratings:
        typer.echo("")
        typer.echo("Answers rated (helpful / not helpful):")
        for topic_id, (yes, no) in sorted(ratings.items(), key=lambda r: -r[1][1]):
            typer.echo(f"  {topic_id}: {yes} / {no}")
