"""``python manage.py ingest_email < message.eml``: what a mail server's pipe (a Postfix alias
``|/srv/ess/.venv/bin/python /srv/ess/manage.py ingest_email``) runs for each message.

Exit status, as the mail server reads it: 0 the message was taken or deliberately dropped (logged with the
reason), 65 it is not a message or is over the size limit (the server bounces it), 75 the database or the
storage is unavailable (the server keeps it and tries again). Never a traceback."""

import logging
import sys

from django.core.management.base import BaseCommand

logger = logging.getLogger("intake")
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "File one e-mail message read from standard input (for a mail server's pipe)."

    def handle(self, *args, **options):
        try:
            from intake.services import mail_ingest

            result = mail_ingest(sys.stdin.buffer)
        except BaseException as error:  # anything unforeseen: the server keeps the message and retries
            logger.error("mail in: not filed, the mail server will retry: %s: %s", type(error).__name__, error)
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{result.outcome}: {result.reason}")
        sys.exit(result.exit_code)
