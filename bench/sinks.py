"""Stand-ins for the outside world the Celery worker talks to, on loopback: a mail server that
accepts every message (with STARTTLS, as production's EMAIL_URL requires) and the SMS provider's
endpoint answering every SendSms with OK. Nothing leaves the machine; the worker does all the
work it does in production up to the wire.

    python -m bench.sinks FOLDER    # writes FOLDER/cert.pem, prints "smtp PORT" and "sms PORT"

The certificate is made here for 127.0.0.1; the worker trusts it through SSL_CERT_FILE.
"""

import asyncio
import datetime
import ipaddress
import json
import signal
import ssl
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Counts:
    emails = 0
    sms = 0


async def smtp_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: ssl.SSLContext) -> None:
    """Just enough ESMTP for Django's SMTP backend: EHLO, STARTTLS, MAIL, RCPT, DATA, QUIT."""
    def reply(text: str) -> None:
        writer.write(text.encode() + b"\r\n")

    secure = False
    reply("220 bench ESMTP")
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                extensions = ["8BITMIME", "SMTPUTF8", "SIZE 20971520"] + ([] if secure else ["STARTTLS"])
                reply("\r\n".join(["250-bench", *(f"250-{e}" for e in extensions[:-1]), f"250 {extensions[-1]}"]))
            elif verb == b"STAR":
                reply("220 ready")
                await writer.drain()
                await writer.start_tls(tls)
                secure = True
                continue
            elif verb == b"DATA":
                reply("354 go ahead")
                await writer.drain()
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                Counts.emails += 1
                reply("250 queued")
            elif verb == b"QUIT":
                reply("221 bye")
                await writer.drain()
                break
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                reply("250 ok")
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def sms_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Dysmsapi's SendSms over HTTP/1.1 keep-alive: every request answered OK."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            await reader.readexactly(length)
            Counts.sms += 1
            body = json.dumps({"Code": "OK", "Message": "OK", "RequestId": f"BENCH-{Counts.sms}",
                               "BizId": f"{Counts.sms}"}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(folder: Path) -> None:
    cert_path, key_path = certificate(folder)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_path, key_path)
    smtp = await asyncio.start_server(lambda r, w: smtp_session(r, w, tls), "127.0.0.1", 0)
    sms = await asyncio.start_server(sms_session, "127.0.0.1", 0)
    sys.stdout.write(f"smtp {smtp.sockets[0].getsockname()[1]}\nsms {sms.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    sys.stderr.write(f"bench sinks: {Counts.emails} emails, {Counts.sms} SMS received\n")


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
