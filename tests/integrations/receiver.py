"""A real webhook receiver for the tests: an HTTP server on a loopback port, in a thread, that checks every
message's Standard Webhooks signature with the endpoint's secret (the ``standardwebhooks`` package, as a customer's
receiver would) and keeps what it got. It can be taken down (connections refused) and brought back on the same
port, or told to answer with another status."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    type: str
    data: dict
    headers: dict


@dataclass
class Receiver:
    secret: str = ""
    status: int = 204
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ess"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    message = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError as error:
                    with receiver._lock:
                        receiver.rejected.append(str(error))
                    self.send_response(401)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.received.append(Received(headers["webhook-id"], message["type"], message["data"], headers))
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", receiver.url + "/moved")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def ids(self) -> list[str]:
        return [message.webhook_id for message in self.received]

    def of(self, key: str, value) -> list[Received]:
        return [m for m in self.received if json.dumps(m.data.get(key, {})).find(str(value)) >= 0]
