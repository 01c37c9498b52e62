"""Babel extractors (see babel.cfg): what `pybabel extract` takes into the message catalog.

- `catalog`: a customer catalog module (conversations/catalog/*.py but staff.py). Every string
  constant assigned at module level is a message: plain constants, a dict's values (not its
  keys), the text of a (key, text) pair. A new constant is in the catalog without marking it;
  `_()`/`ngettext()` calls in the module's functions are extracted too.
- `faq`: the FAQ's data file: every topic's and group's title and answer.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

# (line, function name, message or (singular, plural), comments): what an extraction method
# yields (Babel's own annotations of extract_python say otherwise; its code does this).
Extracted = tuple[Any, ...]


def _strings(node: ast.expr) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value)
    elif isinstance(node, ast.Tuple | ast.List):
        texts = [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(node.elts) == 2 and len(texts) == 2:
            yield from _strings(node.elts[1])  # ("start", "Start over…"): the key is no message
            return
        for element in node.elts:
            yield from _strings(element)


def constants(source: str) -> Iterator[tuple[int, str]]:
    """The module-level string constants of a catalog module (not private ones), in order."""
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign):
            names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names = [statement.target.id]
        else:
            continue
        # A private constant ("_UNITS") is the module's own business, not something said.
        if statement.value is not None and not all(n.startswith("_") for n in names):
            for lineno, text in _strings(statement.value):
                if text.strip():
                    yield lineno, text


def extract_catalog(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    source = fileobj.read()
    for lineno, text in constants(source.decode("utf-8")):
        yield lineno, None, text, []
    fileobj.seek(0)
    python: Any = extract_python
    yield from python(fileobj, keywords, comment_tags, dict(options))


def faq_strings(data: Mapping[str, Any]) -> Iterator[str]:
    """The customer-facing text of faq.json: titles and answers of topics and groups."""
    for section in ("topics", "groups"):
        for item in data.get(section, []):
            for key in ("title", "answer"):
                text = item.get(key)
                if isinstance(text, str) and text.strip():
                    yield text


def extract_faq(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    data = json.loads(fileobj.read().decode("utf-8"))
    for text in faq_strings(data):
        yield 0, None, text, []
