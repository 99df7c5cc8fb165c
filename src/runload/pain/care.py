"""Where to get care, in words a runner anywhere can act on (evidence.md section 7).

Red-flag advice names care by its kind (the local emergency number, same-day urgent care, a
clinician) so a runner in Los Angeles is not sent to NHS 111. Only where the athlete's time zone
pins the country down beyond doubt does runload name the service: a short, hand-checked table
(:data:`BY_TIMEZONE`), not a guess from the zone's region. Every other zone, and "UTC", gets the
kinds of care.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Care:
    """The words for each kind of care.

    ``emergency``: who to call now ("999", "911", or "your local emergency number");
    ``same_day``: where to get care today; ``clinician``: who examines a knee before running
    again. Each reads inside a sentence ("Call {emergency} now", "Get care today: {same_day}").
    """

    emergency: str
    same_day: str
    clinician: str
    named: bool = False  # True when the words name a country's services

    def as_facts(self) -> dict[str, str]:
        """The words as rule-template facts: ``{emergency_number}``, ``{same_day_care}``,
        ``{clinician_care}``."""
        return {"emergency_number": self.emergency, "same_day_care": self.same_day,
                "clinician_care": self.clinician}


#: Care by kind: what every athlete whose country runload cannot be sure of reads.
BY_KIND = Care(
    emergency="your local emergency number",
    same_day="same-day urgent care (your doctor's same-day appointments, an urgent care centre, or an "
             "emergency department)",
    clinician="a clinician (your doctor or a physiotherapist)",
)

_UK = Care(emergency="999", same_day="same-day care (NHS 111, your GP surgery, or an urgent treatment centre)",
           clinician="a clinician (your GP or a physiotherapist)", named=True)
_US_CA = Care(emergency="911", same_day="same-day care (an urgent care clinic, your doctor's same-day "
                                        "appointments, or an emergency department)",
              clinician="a clinician (your doctor or a physical therapist)", named=True)

#: Time zones whose country (and so its emergency number) is beyond doubt. Europe/London covers
#: England, Scotland, Wales and Northern Ireland: 999 everywhere; NHS 111 in England, Wales and
#: Scotland (NHS 24 answers 111 there). The North American zones listed are those of the United
#: States and Canada, both on 911.
BY_TIMEZONE: dict[str, Care] = {
    "Europe/London": _UK,
    "America/New_York": _US_CA, "America/Chicago": _US_CA, "America/Denver": _US_CA,
    "America/Phoenix": _US_CA, "America/Los_Angeles": _US_CA, "America/Anchorage": _US_CA,
    "Pacific/Honolulu": _US_CA, "America/Toronto": _US_CA, "America/Vancouver": _US_CA,
}


def care_for(timezone: str | None) -> Care:
    """The care words for an athlete in ``timezone`` (an IANA name): named services for the zones
    of :data:`BY_TIMEZONE`, else care by kind."""
    return BY_TIMEZONE.get(timezone or "", BY_KIND)
