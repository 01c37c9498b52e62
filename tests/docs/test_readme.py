"""The README and docs/cli.md say only what is true: their settings, commands and links exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from bot.cli import app
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"


def _settings_named(text: str) -> set[str]:
    """Setting names in the first column of the settings table."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| name") and " | " in line:
            first = line.split(" | ")[0].lstrip("| ")
            names.update(n.strip() for n in first.split(","))
    return {n for n in names if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)}


def _is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        path = (*prefix, name)
        paths.add(path)
        if _is_group(command):
            paths |= _command_paths(command, path)
    return paths


def test_the_readme_is_short_enough_for_a_newcomer() -> None:
    assert len(README.read_bytes()) < 15_000


def test_the_readme_names_every_setting_and_no_other() -> None:
    section = README.read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    named = _settings_named(section)
    fields = {name.upper() for name in Settings.model_fields}
    assert named - fields == set()  # nothing the program does not read
    assert fields - named == set()  # nothing the operator is not told about


def test_every_command_in_the_docs_exists_and_every_command_is_documented() -> None:
    root = typer.main.get_command(app)
    assert _is_group(root)
    commands = _command_paths(root)
    documented: set[tuple[str, ...]] = set()
    for line in CLI_DOC.read_text().splitlines():
        found = re.match(r"\| `refundbot ([a-z][a-z-]*)(?: ([a-z|\\-]+))?", line)
        if found is None:
            continue
        first, rest = found.group(1), found.group(2)
        if rest is None or (first,) not in commands or not _is_group(root.commands[first]):
            documented.add((first,))
            continue
        for word in rest.replace("\\", "").split("|"):
            documented.add((first, word))
    leaves = {p for p in commands if not _is_group(_command(root, p))}
    assert documented - commands == set()
    assert leaves - documented == set()


def _command(root: Any, path: tuple[str, ...]) -> Any:
    command = root
    for name in path:
        command = command.commands[name]
    return command


def test_every_link_in_the_readme_and_docs_leads_to_a_file() -> None:
    broken = []
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            if not (page.parent / target).exists():
                broken.append(f"{page.name} -> {target}")
    assert broken == []
