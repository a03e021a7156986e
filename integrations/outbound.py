"""Sending one signed request to a webhook receiver, and the addresses a receiver may have.

A receiver must be on the public internet: its host name is resolved and every address it resolves to must be
global (no private, loopback, link-local, cloud metadata, multicast or reserved address), at registration and again
at every send, and the request goes to the address that was checked (a name that changes its answer between the
check and the connection gains nothing). Redirects are not followed: a 3xx is a failed delivery.
``WEBHOOK_ALLOW_LOOPBACK`` lets loopback through for development and tests.

Messages are signed as the Standard Webhooks specification says (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``: HMAC-SHA256 of ``id.timestamp.body`` with the endpoint's secret).
"""

import base64
import datetime as dt
import http.client
import ipaddress
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks.webhooks import Webhook

USER_AGENT = "ESS-Portal-Webhooks/1"
RESPONSE_BYTES = 64 * 1024  # what is read of a receiver's answer


class AddressRefused(Exception):
    """The receiver's URL is not one the portal sends to; the message says why."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_loopback:
        return "a loopback"
    if address.is_link_local:
        return "a link-local (cloud metadata)"
    if address.is_unspecified or address.is_reserved:
        return "a reserved"
    if address.is_multicast:
        return "a multicast"
    return "a private" if address.is_private else "a non-public"


def _plain(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """An IPv4 address written as IPv6 (``::ffff:10.0.0.1``) is judged, and named, as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    address = _plain(address)
    if address.is_loopback:
        return settings.WEBHOOK_ALLOW_LOOPBACK
    return address.is_global and not address.is_multicast


def _parts(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("A webhook URL starts with https:// (or http://) and names a host.")
    if parts.username or parts.password:
        raise AddressRefused("A webhook URL carries no user name or password: the signature proves the sender.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise AddressRefused("The URL's port is not a number from 1 to 65535.") from error
    path = parts.path or "/"
    return parts.scheme, parts.hostname, port, path + (f"?{parts.query}" if parts.query else "")


def resolve(url: str) -> tuple[str, str, int, str, list[str]]:
    """The URL's scheme, host, port, path and the addresses to connect to, each checked; ``AddressRefused``
    says why not."""
    scheme, host, port, path = _parts(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"The host name {host} does not resolve.") from error
    addresses = []
    for *_, sockaddr in found:
        address = _plain(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]))
        if not address_allowed(address):
            raise AddressRefused(
                f"{host} resolves to {address}, {_kind(address)} address: webhooks go to public addresses only."
            )
        addresses.append(str(address))
    return scheme, host, port, path, list(dict.fromkeys(addresses))


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, while the request names the host (Host header)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host name (SNI), not the address."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(*, secret: str, webhook_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    timestamp = at.astimezone(dt.UTC)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, timestamp, body),
    }


def _failure(error: str) -> str:
    return " ".join(error.split())[:300]


def send(*, url: str, secret: str, webhook_id: str, body: str, at: dt.datetime) -> Answer:
    """POST one message, signed; the receiver's status code, or why there is none."""
    started = time.monotonic()

    def answer(status_code: int | None, error: str = "") -> Answer:
        return Answer(status_code, _failure(error), int((time.monotonic() - started) * 1000))

    try:
        scheme, host, port, path, addresses = resolve(url)
    except AddressRefused as refusal:
        return answer(None, f"Not sent: {refusal}")
    connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = connection_class(host, port, address=addresses[0], timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        headers = signed_headers(secret=secret, webhook_id=webhook_id, body=body, at=at)
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_BYTES)
    except (OSError, http.client.HTTPException) as error:
        return answer(None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    if 300 <= response.status < 400:
        return answer(response.status, "A redirect: the portal does not follow redirects; register the final URL.")
    return answer(response.status, "" if 200 <= response.status < 300 else response.reason or "")
