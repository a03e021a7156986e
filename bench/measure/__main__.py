"""``python -m bench.measure NAME``: set Django up with the benchmark settings, run one measurement, print its JSON."""

import argparse
import json
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("name", choices=["sessions", "p3", "p4", "p5", "p8", "p10", "p11", "p12", "p13"])
    parser.add_argument("--emails", default="")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--only-due", action="store_true")
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ess_portal.settings.bench")
    django.setup()

    from bench.measure import chaser, rollover, serialization, sessions

    if args.name == "sessions":
        result = sessions.signed_in(args.emails.split(","))
    elif args.name == "p3":
        result = serialization.p3_serialization(args.rows, args.repeat)
    elif args.name == "p4":
        result = rollover.p4_rollover(args.accounts, args.small, args.repeat)
    elif args.name == "p5":
        result = chaser.p5_chaser(args.due, args.only_due, args.repeat)
    elif args.name == "p11":
        from bench.measure.webhooks import p11_webhooks

        result = p11_webhooks(args.events, args.repeat)
    elif args.name == "p12":
        from bench.measure.reports import p12_value_reports

        result = p12_value_reports(args.small, args.repeat)
    elif args.name == "p13":
        from bench.measure.growth import p13_growth

        result = p13_growth(args.accounts, args.small, args.repeat)
    elif args.name == "p10":
        from bench.measure.mail_in import p10_mail_in

        result = p10_mail_in(args.messages)
    else:
        from bench.business_hours import measure

        figures = measure(repeat=args.repeat)
        result = {"baseline_us": figures["short_us"], "subject_us": figures["long_us"]}
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
