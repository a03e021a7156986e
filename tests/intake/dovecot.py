"""A real IMAP server for the mailbox tests: the distribution's Dovecot, installed with apt-get when missing (as
scripts/ensure-chromium.sh installs Chromium), run in the foreground on a free port with its configuration,
state and maildirs in a temporary folder and its users in a passwd-file. Tests skip, saying why, only where it
can neither be found nor installed."""

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-test-password"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    port: int
    process: subprocess.Popen
    root: Path

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def ensure_installed() -> str | None:
    """None when Dovecot is there (installed now if need be), else why not."""
    if os.path.exists(DOVECOT):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "Dovecot is not installed and apt-get cannot install it here (not root, or no apt-get)"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "dovecot-imapd"]):
        done = subprocess.run(command, env=environment, capture_output=True, timeout=600)
        if done.returncode != 0:
            return f"apt-get could not install dovecot-imapd: {done.stderr.decode(errors='replace')[-300:]}"
    return None if os.path.exists(DOVECOT) else "dovecot-imapd installed no /usr/sbin/dovecot"


def start(root: Path) -> Dovecot:
    """Dovecot serving IMAP on 127.0.0.1 at a free port; mail is kept as the dovecot system user when run as
    root (Dovecot refuses to keep it as root)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=port, uid=owner.pw_uid, gid=owner.pw_gid))
    if os.geteuid() == 0:
        for path in [root, *root.rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(root, 0o755)  # noqa: S103 (the dovecot user reaches its folders through it)
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Dovecot stopped: {process.stdout.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return Dovecot(port=port, process=process, root=root)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"Dovecot did not answer on port {port}: {(root / 'dovecot.log').read_text()[-2000:]}")
