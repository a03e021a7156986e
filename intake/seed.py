"""Demo mail for `seed_demo`: a customer's e-mail that opened a case, one to her TAM's direct address (its
TAM-reply clock running), and a stranger's message waiting in triage. Written once (idempotent)."""

from email.message import EmailMessage

from accounts.models import User
from core.outbox import portal_address, tam_address

from .models import InboundMail
from .services import mail_ingest


def _message(*, sender: str, to: str, subject: str, body: str, number: int, **headers) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<demo-{number}@mail.demo.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def seed_intake(log, users: dict[str, User]) -> None:
    if InboundMail.objects.exists() or not portal_address():
        log("  mail already there" if portal_address() else "  no INBOUND_EMAIL_ADDRESS: no demo mail")
        return
    alice, tam = users["alice@acme.example"], users["tam@ess.example"]
    messages = [
        _message(
            sender=f"Alice <{alice.email}>",
            to=portal_address(),
            subject="Vendor import skips lines with accents",
            body="Hello,\n\nThe vendor import drops every line whose name has an accent (Müller, Señor).\n\n"
            "Alice\n\n-- \nAlice, Accounts payable, Acme Manufacturing",
            number=1,
        ),
        _message(
            sender=alice.email,
            to=tam_address(tam.pk),
            subject="Question before our upgrade",
            body="Hi Terry, can we move the document repository during next month's maintenance event?",
            number=2,
        ),
        _message(
            sender="Dana Okafor <dana@newcustomer.example>",
            to=portal_address(),
            subject="Access for our new AP clerk",
            body="Hello, please give our new clerk access to the portal. Thanks, Dana",
            number=3,
        ),
        _message(
            sender=alice.email,
            to=portal_address(),
            subject="Automatic reply: Vendor import skips lines with accents",
            body="I am out of the office until Monday.",
            number=4,
            Auto_Submitted="auto-replied",
        ),
    ]
    for raw in messages:
        result = mail_ingest(raw)
        log(f"  mail in: {result.outcome} ({result.reason})")
