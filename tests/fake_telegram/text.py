"""What a message text looks like to the user once Telegram has parsed its parse_mode markup."""

from __future__ import annotations

import re

from .models import ApiError, bad_request

MAX_TEXT_LENGTH = 4096

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_ENTITY_TEXT = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_ALWAYS_ESCAPED = frozenset("#+-={}.!")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _ENTITY_TEXT[name]


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _html_visible(raw: str) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    while pos < len(raw):
        lt = raw.find("<", pos)
        if lt < 0:
            out.append(raw[pos:])
            break
        out.append(raw[pos:lt])
        match = _TAG.match(raw, lt)
        offset = len(raw[:lt].encode())
        if match is None:
            raise _parse_error(f'Unsupported start tag "" at byte offset {offset}')
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise _parse_error(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags[-1] != name:
            expected = open_tags[-1] if open_tags else ""
            raise _parse_error(
                f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", '
                f'found "</{name}>"'
            )
        else:
            open_tags.pop()
        pos = match.end()
    if open_tags:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return _ENTITY.sub(_entity, "".join(out))


def _markdown_v2_visible(raw: str) -> str:
    out: list[str] = []
    open_marks: list[str] = []
    in_code = in_url = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        offset = len(raw[:i].encode())
        if ch == "\\" and i + 1 < len(raw):
            out.append(raw[i + 1])
            i += 2
            continue
        if in_code:
            if raw.startswith("```", i) or (ch == "`" and not raw.startswith("```", i)):
                in_code = False
                i += 3 if raw.startswith("```", i) else 1
                continue
            out.append(ch)
            i += 1
            continue
        if in_url:
            in_url = ch != ")"
            i += 1
            continue
        if ch == "`":
            in_code = True
            i += 3 if raw.startswith("```", i) else 1
            continue
        if raw.startswith("](", i):
            in_url = True
            i += 2
            continue
        if ch in "[]":
            i += 1
            continue
        mark = raw[i : i + 2] if raw[i : i + 2] in ("__", "||") else ch
        if mark in ("*", "_", "__", "~", "||"):
            if open_marks and open_marks[-1] == mark:
                open_marks.pop()
            else:
                open_marks.append(mark)
            i += len(mark)
            continue
        if ch == ">" and (i == 0 or raw[i - 1] == "\n"):
            i += 1
            continue
        if ch in _MD2_ALWAYS_ESCAPED or ch in _MD2_RESERVED:
            raise _parse_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                f" (byte offset {offset})"
            )
        out.append(ch)
        i += 1
    if open_marks or in_code:
        raise _parse_error("Can't find end of the entity starting at the end of the text")
    return "".join(out)


def _markdown_visible(raw: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    return re.sub(r"[*_`]", "", text)


def visible_text(raw: object, parse_mode: str | None) -> str:
    """The text the user reads, or the 400 Telegram answers for empty, too long or bad markup."""
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        text = _html_visible(raw)
    elif mode == "markdownv2":
        text = _markdown_v2_visible(raw)
    elif mode == "markdown":
        text = _markdown_visible(raw)
    else:
        text = raw
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text


def command_entities(text: str) -> list[dict[str, object]]:
    """The bot_command entity Telegram adds when a user message starts with /command."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    length = len(match.group(0).encode("utf-16-le")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]
