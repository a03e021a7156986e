"""SLA policies seeded for every install: the FAQ's three ESS promises, and example targets (labelled as
examples) for first response and resolution by severity on both tiers. Admins edit them as data."""

import datetime as dt

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)

FAQ_ESS_TARGETS = [
    # (name, start, meet, duration, clock, paused while waiting)
    ("Phone answered", "call_received", "call_answered", 2 * M, "wall", False),
    ("Escalation acknowledged", "escalated", "acknowledged", 15 * M, "wall", False),
    ("TAM replies to e-mail and voicemail", "tam_message", "tam_replied", 2 * H, "business", False),
]
EXAMPLE_TARGETS = {
    # tier: [(severity, first response, resolution)] in business hours
    "Enterprise": [(1, 1 * H, 8 * H), (2, 2 * H, 24 * H), (3, 4 * H, 48 * H), (4, 8 * H, 96 * H)],
    "Standard": [(1, 2 * H, 16 * H), (2, 4 * H, 40 * H), (3, 8 * H, 80 * H), (4, 16 * H, 160 * H)],
}


def install_default_policies(Tier, BusinessCalendar, SlaPolicy, SlaTarget):
    """Give each seeded tier without a policy its policy and example targets; an existing policy is never touched."""
    calendar = BusinessCalendar.objects.filter(name="Support hours").first()
    tiers = list(Tier.objects.filter(name__in=EXAMPLE_TARGETS).exclude(pk__in=SlaPolicy.objects.values("tier_id")))
    policies = SlaPolicy.objects.bulk_create([SlaPolicy(tier=tier, warn_at_percent=75) for tier in tiers])
    if calendar is None:
        return
    targets = []
    for tier, policy in zip(tiers, policies, strict=True):
        if tier.name == "Enterprise":
            for name, start, meet, duration, clock, paused in FAQ_ESS_TARGETS:
                targets.append(
                    SlaTarget(
                        policy=policy,
                        name=name,
                        start_event=start,
                        meet_event=meet,
                        duration=duration,
                        clock=clock,
                        calendar=calendar if clock == "business" else None,
                        paused_while_waiting=paused,
                    )
                )
        for severity, first_response, resolution in EXAMPLE_TARGETS[tier.name]:
            for name, meet, duration, paused in (
                (f"First response, severity {severity}", "first_response", first_response, False),
                (f"Resolution, severity {severity}", "resolved", resolution, True),
            ):
                targets.append(
                    SlaTarget(
                        policy=policy,
                        name=name,
                        start_event="case_opened",
                        meet_event=meet,
                        severity=severity,
                        duration=duration,
                        clock="business",
                        calendar=calendar,
                        paused_while_waiting=paused,
                        is_example=True,
                    )
                )
    SlaTarget.objects.bulk_create(targets)
