"""The outside world the outbox talks to, on loopback, for the tests that count what reaches it.

``SmtpServer`` speaks enough SMTP for Django's SMTP backend (EHLO, MAIL, RCPT, DATA, RSET, QUIT):
it counts the connections made to it, keeps (recipient, subject) of every message it accepts
and answers 550 to a recipient listed in ``refused``, as a real server refuses one mailbox while
it accepts the others on the same connection. The ``smtp_server`` fixture (tests/conftest.py)
points the email backend at it.

``RefusingSmsBackend`` is the test SMS backend (messages kept in ``xiangcheng.core.sms.outbox``)
that refuses the numbers in ``REFUSED_PHONES``, as the provider refuses one number of a batch,
and notes in ``ROWS_AT_SMS`` the channels the outbox had recorded when the SMS left.
"""

import email
import email.policy
import socketserver
import threading
from collections import Counter

from xiangcheng.core.sms import LocmemBackend, SmsMessage, SmsRejected

REFUSED_PHONES: set[str] = set()
# What the outbox had written on her notices' rows at the moment each SMS was handed over.
ROWS_AT_SMS: list[list[list[str]]] = []


class RefusingSmsBackend(LocmemBackend):
    def send(self, message: SmsMessage) -> None:
        from xiangcheng.core.models import Notice

        ROWS_AT_SMS.append(list(Notice.objects.filter(recipient__phone=message.phone)
                                .values_list("channels_sent", flat=True)))
        if message.phone in REFUSED_PHONES:
            raise SmsRejected(f"isv.MOBILE_NUMBER_ILLEGAL: {message.phone}")
        super().send(message)


class SmtpServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections = 0
        self.messages: list[tuple[str, str]] = []
        self.refused: set[str] = set()
        self.recipients_tried: Counter = Counter()  # RCPT commands per address, accepted or not
        server = self

        class Session(socketserver.StreamRequestHandler):
            def reply(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self) -> None:
                with server.lock:
                    server.connections += 1
                self.reply("220 test ESMTP")
                to = []
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8")
                    elif verb == b"MAIL":
                        to = []
                        self.reply("250 OK")
                    elif verb == b"RCPT":
                        address = line.decode().split(":", 1)[1].strip().strip("<>")
                        with server.lock:
                            server.recipients_tried[address] += 1
                            refused = address in server.refused
                        if refused:
                            self.reply("550 5.1.1 mailbox unavailable")
                        else:
                            to.append(address)
                            self.reply("250 OK")
                    elif verb == b"DATA":
                        self.reply("354 go ahead")
                        data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                        parsed = email.message_from_bytes(data, policy=email.policy.default)
                        with server.lock:
                            server.messages += [(address, str(parsed["Subject"]).strip()) for address in to]
                        self.reply("250 queued")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def per_recipient(self) -> Counter:
        return Counter(to for to, _ in self.messages)

    def __enter__(self) -> "SmtpServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
