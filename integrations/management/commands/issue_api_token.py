from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError, NotAllowed
from integrations.tokens import token_create


class Command(BaseCommand):
    help = "Make a personal API token for a user and print it once (for scripts and deployment)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user the token acts as")
        parser.add_argument("--name", required=True, help="Where the token is used")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (default 90, at most 365)")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            help="read, write or webhooks; repeat it for several (default: read, write)",
        )

    def handle(self, *args, email, name, days, scopes, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the address {email}.")
        try:
            token, value = token_create(actor=None, user=user, name=name, days=days, scopes=scopes)
        except (DomainError, NotAllowed) as refusal:
            raise CommandError(str(refusal.message)) from refusal
        self.stderr.write(f"Token “{token.name}” for {user.email}, expires {token.expiry:%Y-%m-%d %H:%M} UTC.")
        self.stdout.write(value)
