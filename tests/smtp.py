"""A real SMTP server on a loopback port for mail tests: the outbox delivers to it over SMTP, and each message
is kept as the server received it (envelope recipients and the parsed message, headers and all).

    @pytest.fixture
    def smtp(settings):
        with smtp_server(settings) as server:
            yield server

``server.start()`` starts listening (a test may deliver first while nothing listens); it stops at the end.
"""

import email
import email.policy
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


@dataclass
class Received:
    recipients: list[str]
    raw: str
    message: email.message.EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class Recorder(Sink):
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content.decode(errors="replace")
        parsed = email.message_from_string(raw, policy=email.policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), raw, parsed))
        return "250 OK"


@dataclass
class Server:
    controller: Controller
    recorder: Recorder

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def start(self) -> None:
        self.controller.start()

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.recipients]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(settings):
    """Point Django's SMTP backend at a new server on a free port; stop it afterwards if it was started."""
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    recorder = Recorder()
    server = Server(Controller(recorder, hostname="127.0.0.1", port=port), recorder)
    try:
        yield server
    finally:
        if getattr(server.controller, "_thread", None) is not None:
            server.controller.stop()
