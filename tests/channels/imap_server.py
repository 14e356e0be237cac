"""A private Dovecot IMAP server for one test session: generated configuration, a self-signed
certificate, one passwd-file user and a maildir, all in a temporary folder, on a free port with
TLS only. Messages are delivered with IMAP APPEND, as a mail server's delivery agent would."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from tests.integrations.smtp_server import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
instance_name = ioc-test-{port}
protocols = imap
first_valid_uid = 1
first_valid_gid = 1
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
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
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class ImapServer:
    """Dovecot on ``127.0.0.1:port`` (implicit TLS), user ``user`` / ``password``."""

    user = "phananh@example.vn"
    password = "mat-khau-thu"

    def __init__(self) -> None:
        # Its own folder under the system's temporary directory: Dovecot's unprivileged
        # processes must reach it, and pytest's folders are private to the user running it.
        self.root = Path(tempfile.mkdtemp(prefix="ioc-dovecot-"))
        self.port = free_port()
        self.cert = self.root / "cert.pem"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ImapServer:
        if not Path(DOVECOT).exists():
            raise RuntimeError("Dovecot is not installed (apt-get install dovecot-imapd)")
        root = self.root
        (root / "mail").mkdir()
        for folder in ("run", "state"):
            (root / folder).mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(root / "key.pem"),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )
        (root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            # Mail may not belong to root; the maildir is the dovecot user's.
            import pwd

            entry = pwd.getpwnam("dovecot")
            uid, gid = entry.pw_uid, entry.pw_gid
            for path in (root, root / "mail"):
                os.chown(path, uid, gid)
        (root / "dovecot.conf").write_text(
            _CONFIG.format(root=root, port=self.port, uid=uid, gid=gid)
        )
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_listening()
        return self

    def _wait_until_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                log = self.root / "dovecot.log"
                raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening")

    def tls_context(self) -> ssl.SSLContext:
        """A context that trusts this server's self-signed certificate, and nothing else."""
        return ssl.create_default_context(cafile=str(self.cert))

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
