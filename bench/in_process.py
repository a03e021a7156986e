"""The measurements that run inside Django (P3, P4, P5, P8, P10, P11, P12, P13), each in a process of its own
(``bench/measure/``): here, what each is asked and the row made of its answer."""

from bench.environment import in_django, log
from bench.profiles import Profile
from bench.report import row

# Any partial index that leaves met clocks out will do for the chaser; a scan of the whole table will not.
PARTIAL_INDEXES = ("milestone_warning_due", "milestone_breach_due", "milestone_unmet_by_case")


def p3_serialization(profile: Profile, secret: str) -> tuple[dict, dict]:
    log("P3 DRF serialization of 500 cases vs .values()")
    figures = in_django(profile.database, secret, "p3", "--repeat", str(5 * profile.repeat))
    what = "500 cases: query + DRF CaseSerializer vs query + the same payload from .values()"
    return _timing_row("P3", what, figures["baseline_ms"], figures["subject_ms"], "ms", 2), figures


def p4_rollover(profile: Profile, secret: str) -> tuple[dict, dict]:
    accounts = profile.rollover_accounts
    log(f"P4 quarter rollover of {accounts:,} more accounts vs hand-written SQL")
    args = ["--accounts", str(accounts), "--small", str(profile.rollover_small), "--repeat", str(profile.repeat)]
    figures = in_django(profile.database, secret, "p4", *args)
    ratio = figures["subject_ms"] / figures["baseline_ms"]
    fixed = figures["statements_small"] == figures["statements_large"]
    return row(
        "P4",
        f"quarter rollover, {accounts:,} accounts added to the vendor's, vs the same writes in plain SQL",
        f"{figures['baseline_ms']:.0f} ms",
        f"{figures['subject_ms']:.0f} ms",
        ratio,
        ratio <= 2 and fixed,
        f"{figures['statements_small']} SQL statements with {figures['small_accounts']:,} accounts added, "
        f"{figures['statements_large']} with {accounts:,}; grants and forfeits written "
        f"{figures['grants_and_forfeits']}",
    ), figures


def p5_chaser(profile: Profile, secret: str) -> tuple[dict, dict]:
    due = profile.due_milestones
    log(f"P5 SLA chaser: {due:,} due clocks among all the closed ones vs only them")
    args = ["--due", str(due), "--repeat", str(profile.repeat)]
    subject = in_django(profile.database, secret, "p5", *args)
    baseline = in_django(profile.base_database, secret, "p5", *args, "--only-due")
    ratio = subject["ms"] / baseline["ms"]
    plans = subject["plans"]
    used = sorted({name for plan in plans for name in PARTIAL_INDEXES if name in plan})
    indexed = bool(plans) and all(
        "Seq Scan on cases_milestone" not in plan and any(name in plan for name in PARTIAL_INDEXES) for plan in plans
    )
    return row(
        "P5",
        f"SLA chaser tick, {due:,} due clocks with {subject['closed_milestones']:,} closed ones vs with no others",
        f"{baseline['ms']:.0f} ms",
        f"{subject['ms']:.0f} ms",
        ratio,
        ratio <= 1.5 and indexed,
        f"warned {subject['warned']}, breached {subject['breached']}; EXPLAIN: "
        + (f"partial index {', '.join(used)}" if indexed else "a scan of the whole milestone table"),
    ), {"subject": subject, "baseline": baseline}


def p8_business_hours(profile: Profile, secret: str) -> tuple[dict, dict]:
    log("P8 business-hours engine: 10,000 open hours vs 10")
    figures = in_django(profile.database, secret, "p8", "--repeat", str(profile.repeat + 1))
    what = "business-hours engine: Schedule.add of 10,000 open hours vs 10"
    return _timing_row("P8", what, figures["baseline_us"], figures["subject_us"], "µs", 20), figures


def p10_mail_in(profile: Profile, secret: str) -> tuple[dict, dict]:
    count = profile.mail_messages
    log(f"P10 mail in: {count:,} messages through ingest_email's service vs the same entries through the API")
    figures = in_django(profile.database, secret, "p10", "--messages", str(count))
    ratio = figures["mail_ms_per_message"] / figures["api_ms_per_message"]
    mb = 1024 * 1024
    size = figures["large_bytes"]
    # Bounded: a refused message costs a few megabytes whatever its size; one taken in, a few times its size.
    bounded = figures["refused_peak_bytes"] < 4 * mb and figures["taken_peak_bytes"] < 4 * size
    filed = ", ".join(f"{n} {outcome}" for outcome, n in sorted(figures["outcomes"].items()))
    answered = ", ".join(f"{n} × {code}" for code, n in sorted(figures["api_statuses"].items()))
    return row(
        "P10",
        f"mail in: {count:,} messages (half open cases, half answer them by their thread) vs the same entries "
        "through the API",
        f"{figures['api_ms_per_message']:.1f} ms",
        f"{figures['mail_ms_per_message']:.1f} ms",
        ratio,
        ratio <= 3 and bounded,
        f"{figures['source']}; filed: {filed}; API: {answered}; a {size / mb:.0f} MB message peaks at "
        f"{figures['refused_peak_bytes'] / mb:.1f} MB refused ({figures['refused']}) and "
        f"{figures['taken_peak_bytes'] / mb:.0f} MB taken in under a raised limit ({figures['taken']})",
    ), figures


def p11_webhooks(profile: Profile, secret: str) -> tuple[dict, dict]:
    events = profile.webhook_events
    log(f"P11 webhook delivery: {events:,} events to 3 receivers by the worker vs a bare loop")
    figures = in_django(profile.database, secret, "p11", "--events", str(events), "--repeat", str(profile.repeat + 1))
    ratio = figures["one_worker_per_s"] / figures["bare_per_s"]
    two = figures["two_workers_per_s"] / figures["one_worker_per_s"]
    return row(
        "P11",
        f"webhook delivery: {figures['messages']:,} messages ({events:,} events × 3 receivers on loopback) by "
        "deliver_due, the worker's job, vs a bare loop posting the same signed payloads (throughput)",
        f"{figures['bare_per_s']:.0f}/s",
        f"{figures['one_worker_per_s']:.0f}/s",
        ratio,
        ratio >= 0.5 and figures["exactly_once"],
        f"best of {figures['rounds']} rounds each; two workers at once: {figures['two_workers_per_s']:.0f}/s "
        f"({two:.2f}× one); every message delivered "
        f"with one try, by one worker and by two: {'yes' if figures['exactly_once'] else 'NO'}",
    ), figures


def p12_value_reports(profile: Profile, secret: str) -> tuple[dict, dict]:
    log("P12 the quarterly value reports of every Enterprise account vs their SQL alone")
    figures = in_django(profile.database, secret, "p12", "--small", "20", "--repeat", str(profile.repeat))
    ratio = figures["subject_ms"] / figures["baseline_ms"]
    fixed = figures["statements_small"] == figures["statements_large"]
    return row(
        "P12",
        f"value reports of {figures['quarter']} for its {figures['reports']:,} Enterprise accounts (the job) vs the "
        f"{figures['replayed']} statements it ran, replayed alone",
        f"{figures['baseline_ms']:.0f} ms",
        f"{figures['subject_ms']:.0f} ms",
        ratio,
        ratio <= 2 and fixed,
        f"{figures['statements']} SQL statements for the whole job; the figures take {figures['statements_small']} "
        f"statements for {figures['small_accounts']} accounts and {figures['statements_large']} for "
        f"{figures['reports']:,}",
    ), figures


def p13_growth(profile: Profile, secret: str) -> tuple[dict, dict]:
    large, small = profile.growth_contracts
    log(f"P13 renewal reminders and the quarter job with {large:,} contracts vs {small:,}")
    args = ["--accounts", str(large), "--small", str(small), "--repeat", str(profile.repeat)]
    figures = in_django(profile.database, secret, "p13", *args)
    subject, baseline = figures["subject"], figures["baseline"]
    jobs = ("reminders", "quarter")
    ratios = {job: subject[f"{job}_ms"] / baseline[f"{job}_ms"] for job in jobs}
    fixed = all(subject[f"{job}_statements"] == baseline[f"{job}_statements"] for job in jobs)
    total = lambda side: side["reminders_ms"] + side["quarter_ms"]  # noqa: E731
    return row(
        "P13",
        f"renewal reminders and the quarter job with {large:,} contracts added vs {small:,}",
        f"{total(baseline):.0f} ms",
        f"{total(subject):.0f} ms",
        total(subject) / total(baseline),
        fixed and all(ratio <= 100 for ratio in ratios.values()),
        f"reminders {baseline['reminders_ms']:.0f} → {subject['reminders_ms']:.0f} ms ({ratios['reminders']:.1f}×), "
        f"{baseline['reminders_statements']} → {subject['reminders_statements']} statements, "
        f"{subject['mailed']:,} mailed; quarter job {baseline['quarter_ms']:.0f} → {subject['quarter_ms']:.0f} ms "
        f"({ratios['quarter']:.1f}×), {baseline['quarter_statements']} → {subject['quarter_statements']} statements, "
        f"{subject['granted']:,} granted",
    ), figures


def _timing_row(key: str, what: str, baseline: float, subject: float, unit: str, most: float) -> dict:
    """A row of two timings: the subject's over the baseline's, at most ``most``."""
    ratio = subject / baseline
    return row(key, what, f"{baseline:.1f} {unit}", f"{subject:.1f} {unit}", ratio, ratio <= most)


MEASUREMENTS = {  # in the order they run
    "P3": p3_serialization,
    "P4": p4_rollover,
    "P5": p5_chaser,
    "P8": p8_business_hours,
    "P10": p10_mail_in,
    "P11": p11_webhooks,
    "P12": p12_value_reports,
    "P13": p13_growth,
}
