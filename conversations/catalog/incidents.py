"""What staff read about incidents and stale decisions (staff text: English)."""

from __future__ import annotations

INCIDENT_USAGE = (
    "Record an outage:\n/incident start <scope> <what happened>\n"
    "scope: all, international, or a country code such as PK\n"
    "End it:\n/incident end <ID>"
)
INCIDENT_BAD_SCOPE = "Unknown scope “{scope}”: use all, international or a country code (PK)."
INCIDENT_NO_DESCRIPTION = (
    "Say what happened after the scope, e.g. /incident start PK SMS gateway down"
)
INCIDENT_TOO_LONG = "Keep it under {limit} characters (that was {length})."
INCIDENT_STARTED = (
    "🚨 Incident {incident_id} recorded by {who}: {scope}, from {when}.\n“{description}”\n"
    "Claims in its window are now checked against it. End it with /incident end {incident_id}"
)
INCIDENT_ENDED = "✅ Incident {incident_id} ended by {who}, {when}."
INCIDENT_NOT_ONGOING = "There is no ongoing incident {incident_id}."
INCIDENTS_ONGOING = "🚨 Ongoing incidents:"
INCIDENT_LINE = "• {incident_id} ({scope}) since {when}: {description}"
REPORT_INCIDENTS = "Incidents: {count} ({ids})"

STALE_HEADER = (
    "🔁 New facts ({why}) would change the bot's decision on {count} {noun}. "
    "The customers have not been told."
)
STALE_NOUN = ("claim", "claims")
STALE_LINE = "• #{claim_id} · {status} · bot said {before}, would now say {after}{credits}"
STALE_CREDITS = " ({credits} credits)"
STALE_WHY_INCIDENT = "incident {incident_id}"
STALE_WHY_CAMPAIGNS = "campaign counts of {campaigns}"
BTN_REOPEN = "🔁 Re-open for review"
STALE_REOPENED = "🔁 {count} {noun} back in the queue for review: {ids}"
STALE_NONE_LEFT = "Nothing left to re-open: those claims were decided since."
