"""Reading Bot API call parameters from a query string, JSON, form or multipart body."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

# Form and multipart values arrive as strings; PTB JSON-encodes every non-string value. These
# parameters are strings by definition, so "123" or "true" in them must stay a string.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "name",
        "title",
        "description",
        "short_description",
        "language_code",
        "action",
        "emoji",
        "icon_custom_emoji_id",
        "inline_message_id",
        "business_connection_id",
        "ip_address",
        "file_id",
        "message_effect_id",
    }
)


def decode_value(key: str, value: str) -> Any:
    """A form value as the Bot API would read it."""
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of one call, merged from the query string and the body."""
    params: dict[str, Any] = {k: decode_value(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = decode_value(key, value)
            else:
                params[key] = {"filename": value.filename, "content": value.file.read()}
    return params
