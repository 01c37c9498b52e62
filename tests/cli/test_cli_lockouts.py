"""`refundbot lockouts list|lift`: an operator sees who waits after wrong answers, and lifts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.ownership import Attempts
from storage.database import Database
from tests.cli.cli_process import Cli


async def test_list_then_lift_a_transaction_and_a_customer(cli: Cli, db: Database) -> None:
    now = datetime.now(UTC)
    until = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    sooner = until - timedelta(minutes=50)
    async with db.uow() as uow:
        await uow.attempts.put("tx:TX-1001", Attempts(3, now, until))
        await uow.attempts.put("user:730", Attempts(4, now, sooner))
        await uow.attempts.put("user:731", Attempts(1, now, None))  # a typo: nobody waits
        await uow.commit()

    listed = cli("lockouts", "list")
    assert listed.code == 0
    # In HOME_COUNTRY's time (PK by default: UTC+5, no daylight saving), the zone named.
    assert listed.out.splitlines() == [
        f"tx:TX-1001\t3 misses\tuntil {_pkt(until)}",
        f"user:730\t4 misses\tuntil {_pkt(sooner)}",
    ]
    lifted = cli("lockouts", "lift", "tx 1001")
    assert (lifted.code, lifted.out.splitlines()[-1]) == (0, "Lifted: tx:TX-1001")
    assert cli("lockouts", "lift", "730").out.splitlines()[-1] == "Lifted: user:730"
    assert cli("lockouts", "list").out.strip() == "No lockouts."
    again = cli("lockouts", "lift", "TX-1001")
    assert again.code == 1 and "nothing to lift for TX-1001" in again.err
    assert cli("lockouts", "lift", "!!").code == 2


def _pkt(moment: datetime) -> str:
    """How a Pakistani operator reads a UTC moment: "14 Aug 2026, 14:31 PKT"."""
    local = moment + timedelta(hours=5)
    return f"{local.day} {local:%b %Y, %H:%M} PKT"
