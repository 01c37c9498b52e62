"""`refundbot faq ask|misses|teach|retrain|show`: the FAQ, from the operator's side."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import cli_settings, faq_app, run_async, with_db

if TYPE_CHECKING:
    from storage.database import Database

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
    from bot.faq_models import use_answers
    from conversations.faq import default_matcher

    use_answers(cli_settings().faq_answers_file)
    _use_stored_model()
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

    async def go(db: Database) -> tuple[list[tuple[str, int]], dict[str, tuple[int, int]]]:
        async with db.uow() as uow:
            return await uow.faq.top_misses(limit), await uow.faq.ratings()

    misses, ratings = with_db(settings, go, upgrade=False)
    if not misses:
        typer.echo("No unanswered questions yet.")
    else:
        typer.echo('count  likeliest topic      question  (teach: refundbot faq teach "…" TOPIC)')
    for text, count in misses:
        typer.echo(f"{count:>5}  {_likeliest(text):<20} {text}")
    if ratings:
        typer.echo("")
        typer.echo("Answers rated (helpful / not helpful):")
        for topic_id, (yes, no) in sorted(ratings.items(), key=lambda r: -r[1][1]):
            typer.echo(f"  {topic_id}: {yes} / {no}")


def _likeliest(question: str) -> str:
    """The topic the model leans to for a question it could not place, or "(off-topic)"."""
    from conversations.faq.matcher import default_matcher
    from conversations.faq.model import OUT_OF_SCOPE, UNSURE

    matcher = default_matcher()
    model = matcher.model
    ranked = sorted(zip(model.probabilities(question), model.classes, strict=True), reverse=True)
    for _p, topic_id in ranked:
        if topic_id == OUT_OF_SCOPE:
            return "(off-topic)"
        if topic_id != UNSURE:
            return topic_id
    return "(off-topic)"


def _use_stored_model() -> None:
    """Answer with the newest model in the database, as the bot does; the shipped one if none."""
    settings = cli_settings()

    async def go() -> None:
        from bot.faq_models import refresh
        from storage.database import open_database

        try:
            db = await open_database(settings.database_url, False)
        except Exception:  # no database yet, or not migrated: the bot would use the shipped model
            return
        try:
            await refresh(db)
        except Exception:  # a database from before the FAQ tables: the same
            return
        finally:
            await db.dispose()

    run_async(go())


@faq_app.command("teach")
def faq_teach(
    question: Annotated[str, typer.Argument(help="the phrasing, as a customer wrote it")],
    topic: Annotated[str, typer.Argument(help="the topic id it should get")],
    by: Annotated[str, typer.Option(help="who taught it (kept with the phrasing)")] = "cli",
) -> None:
    """Teach the FAQ a phrasing for a topic; `refundbot faq retrain` then learns it."""
    from bot.faq_models import teach
    from conversations.faq.retrain import UnknownTopic

    settings = cli_settings()

    async def go(db: Database) -> bool:
        return await teach(db, question, topic, by, datetime.now(UTC))

    try:
        added = with_db(settings, go)
    except UnknownTopic as exc:
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(2) from None
    if added:
        typer.echo(f"Taught: {question!r} -> {topic}. Run `refundbot faq retrain` to learn it.")
    else:
        typer.echo(f"Already taught: {question!r} -> {topic}.")


@faq_app.command("retrain")
def faq_retrain(
    force: Annotated[
        bool, typer.Option("--force", help="retrain even if nothing new was taught")
    ] = False,
    judge: Annotated[
        Path | None,
        typer.Option(help="judged set (JSON lines: q, topic); default: the frozen test set"),
    ] = None,
) -> None:
    """Retrain on the shipped data plus taught phrasings; keep it only if it scores no lower."""
    from bot.faq_models import retrain_and_store
    from conversations.faq.retrain import FROZEN_PATH, TrainingUnavailable

    settings = cli_settings()

    async def go(db: Any) -> Any:
        return await retrain_and_store(db, datetime.now(UTC), judge or FROZEN_PATH, force)

    try:
        outcome = with_db(settings, go)
    except TrainingUnavailable as exc:
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(outcome.describe())
    if outcome.new is not None and not outcome.accepted:
        raise typer.Exit(1)


@faq_app.command("show")
def faq_show(
    topic: Annotated[str, typer.Argument(help="the topic id")],
) -> None:
    """Print what a customer sees for a topic, in English and in Urdu."""
    from bot.faq_models import use_answers
    from conversations import i18n
    from conversations.catalog import faq_text
    from conversations.faq import get_topic, load_topics

    use_answers(cli_settings().faq_answers_file)
    found = get_topic(topic)
    if found is None:
        known = ", ".join(t.id for t in load_topics())
        typer.echo(f"refundbot: unknown FAQ topic {topic!r}; the topics are: {known}", err=True)
        raise typer.Exit(2)
    for language in (i18n.ENGLISH, i18n.URDU):
        with i18n.use(language):
            text = faq_text.answer_with_intro(i18n._(found.title), i18n._(found.answer))
        typer.echo(f"--- {language} ---")
        typer.echo(text)
