"""A password in a database URL never survives into a message, however it is written."""

from __future__ import annotations

import string
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from bot.settings import mask_url_password

# Any printable characters but whitespace (which ends a URL in a line of text).
PASSWORDS = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + string.punctuation + "éß€"),
    min_size=1,
    max_size=40,
)


@given(PASSWORDS, st.booleans())
def test_the_password_is_masked_whether_encoded_or_not(password: str, encoded: bool) -> None:
    written = quote(password, safe="") if encoded else password
    line = f"Setting DATABASE_URL is invalid: (got 'postgres://refundbot:{written}@db:5432/rb')"

    assert mask_url_password(line) == (
        "Setting DATABASE_URL is invalid: (got 'postgres://refundbot:***@db:5432/rb')"
    )


def test_a_url_without_a_password_is_left_alone() -> None:
    line = "database postgresql+asyncpg://refundbot@db:5432/refundbot and sqlite:///x.db"

    assert mask_url_password(line) == line
