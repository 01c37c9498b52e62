"""`refundbot chat --demo` on a real terminal (a pty), as a person at the keyboard uses it."""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import select
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.cli_process import clean_env

pytestmark = pytest.mark.real_process

# Only a guard against a hung program; a busy machine is given plenty of room.
HANG_S = 90
# The demo stamps times; the lines asserted below do not depend on them.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _own_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty (stdin).

    Then the terminal turns Ctrl-C into SIGINT for the program, as a shell's terminal does.
    """
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """`python -m bot chat --demo` on a pty: type lines, wait for text to appear."""

    def __init__(self, cwd: Path) -> None:
        master, slave = pty.openpty()
        env = clean_env(f"sqlite+aiosqlite:///{cwd / 'unused.db'}", TERM="xterm")
        env.pop("COLUMNS", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--demo"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            preexec_fn=_own_terminal,
        )
        os.close(slave)
        self.master = master
        # A read can end inside a character (an emoji is 4 bytes): decode across reads.
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.seen = ""
        self.read_to = 0

    def expect(self, text: str) -> str:
        """Wait until `text` is printed after what was expected last; the output up to it."""
        while text not in self.seen[self.read_to :]:
            ready, _, _ = select.select([self.master], [], [], HANG_S)
            assert ready, f"waited {HANG_S} s for {text!r}; the screen ends: {self.seen[-800:]}"
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the program ended and the pty closed
                chunk = b""
            assert chunk, f"the program ended before {text!r}: {self.seen[-800:]}"
            # The terminal ends lines with \r\n; a read may end between the two.
            self.seen += self.decoder.decode(chunk).replace("\r", "")
            self.seen = ANSI.sub("", self.seen)
        end = self.seen.index(text, self.read_to) + len(text)
        shown, self.read_to = self.seen[self.read_to : end], end
        return shown

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> int:
        try:
            return self.process.wait(timeout=HANG_S)
        finally:
            os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    try:
        term.expect("\n> ")
        yield term
    finally:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


def _file_a_review_claim(term: Terminal) -> str:
    """TX-1010's outage claim goes to review; its card reaches the staff chat. The card."""
    for line in ("/claim", "TX-1010", "+923001110010", "2"):
        term.type(line)
    term.type("1")
    return term.expect("🙋 Take")


def test_numbers_press_only_the_current_sides_buttons(terminal: Terminal) -> None:
    card = _file_a_review_claim(terminal)
    take = re.search(r"\[(\d+)\] 🙋 Take", card)
    assert take is not None, card

    terminal.type(take.group(1))  # still the customer
    refused = terminal.expect("Type /staff to act as staff first.")
    terminal.type("/staff")
    terminal.expect("You are staff now.")
    terminal.type(take.group(1))
    taken = terminal.expect("is now looking at your claim #1.")
    approve = re.search(r"\[(\d+)\] ✅ Approve", taken)
    assert approve is not None, taken

    terminal.type("/customer")
    terminal.expect("You are the customer again.")
    terminal.type(approve.group(1))
    terminal.expect("Type /staff to act as staff first.")
    terminal.type("/quit")
    terminal.expect("Bye!")

    assert "is now looking" not in refused, "the customer's key did not take the claim"
    assert "approved" not in terminal.seen.split("You are the customer again.")[1]
    assert terminal.close() == 0


def test_a_staff_prompt_closes_once_answered(terminal: Terminal) -> None:
    _file_a_review_claim(terminal)
    terminal.type("/staff")
    terminal.expect("You are staff now.")
    for pick, shows in (
        ("5", "✅ Approve\n"),
        ("1", "✏️ Change credits"),
        ("2", "credits to refund"),
    ):
        terminal.type(pick)
        terminal.expect(shows)
    terminal.type("1500")
    terminal.expect("1,500 credits")
    terminal.type("hello team")
    terminal.type("/quit")
    after = terminal.expect("Bye!")

    assert "whole number" not in after, "the answered prompt no longer takes typed lines"
    assert terminal.close() == 0


def test_ctrl_c_quits_at_once(terminal: Terminal) -> None:
    terminal.type("/claim")
    terminal.expect("\n> ")

    terminal.press(b"\x03")  # no Enter after it

    terminal.expect("Bye!")
    assert terminal.close() == 130
    assert "Traceback" not in terminal.seen


def test_report_saves_its_chart_and_csv_and_prints_where(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.type("/staff")
    terminal.expect("You are staff now.")
    terminal.type("/report")
    terminal.expect(".csv: ")
    terminal.expect(".csv\n")  # the path's end: typing before it, the echo would split it
    terminal.type("/quit")
    terminal.expect("Bye!")

    saved = re.findall(r"📎 Saved (\S+): (\S+)", terminal.seen)
    paths = [Path(path) for _, path in saved]
    assert [p.suffix for p in paths] == [".png", ".csv"], terminal.seen
    assert all(p.parent == tmp_path and p.is_file() for p in paths)
    assert paths[0].read_bytes().startswith(b"\x89PNG")
    assert paths[1].read_text(encoding="utf-8").startswith("claim_id,")
    assert terminal.close() == 0
