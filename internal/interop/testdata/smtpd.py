#!/usr/bin/python3
"""A test SMTP server for gostca's interop tests (internal/interop/smtp.go).

It runs aiosmtpd's SMTP protocol (Debian's python3-aiosmtpd) on 127.0.0.1,
configured by one JSON argument:

  port          the port to listen on; 0 picks a free one
  dir           where each accepted message is saved
  cert, key     the TLS certificate and key (PEM); without them STARTTLS is
                not offered
  user, password
                when user is set, AUTH PLAIN with these is required before
                MAIL (and, with TLS, offered only after STARTTLS)
  reject        recipients answered 550 at RCPT TO
  smtputf8      offer SMTPUTF8

Once listening it prints "ready PORT" on standard output. Each message is
parsed by Python's email package, an independent decoder, and saved as
NNN.eml (the bytes received) and NNN.json (the envelope, the session's TLS
and login, and the decoded headers and body), both renamed into place
before the server answers 250, so a client that saw 250 finds the files.
"""

import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, conf):
        self.dir = conf["dir"]
        self.reject = set(a.lower() for a in conf.get("reject") or [])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body, charset, problem = "", "", ""
        try:
            body = msg.get_content()
            charset = msg.get_content_charset() or ""
        except Exception as e:  # a body the parser cannot decode
            problem = repr(e)
        login = ""
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": login,
            "from": str(msg.get("from", "")),
            "to": str(msg.get("to", "")),
            "subject": str(msg.get("subject", "")),
            "message_id": str(msg.get("message-id", "")),
            "date": str(msg.get("date", "")),
            "mime_version": str(msg.get("mime-version", "")),
            "content_type": msg.get_content_type(),
            "charset": charset,
            "transfer_encoding": str(msg.get("content-transfer-encoding", "")),
            "body": body,
            "defects": [repr(d) for d in msg.defects] + ([problem] if problem else []),
        }
        name = "%020d" % time.time_ns()
        # The .json last: a reader takes it to mean the message is whole.
        for ext, data in ((".eml", raw), (".json", json.dumps(record).encode())):
            tmp = os.path.join(self.dir, "." + name + ext)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(self.dir, name + ext))
        return "250 OK"


def main():
    conf = json.loads(sys.argv[1])
    # aiosmtpd warns of its own use of a deprecated attribute; errors stay.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    tls = None
    if conf.get("cert"):
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(conf["cert"], conf["key"])
    user, password = conf.get("user", ""), conf.get("password", "")

    def authenticate(server, session, envelope, mechanism, data):
        ok = (mechanism == "PLAIN" and isinstance(data, LoginPassword)
              and data.login == user.encode() and data.password == password.encode())
        # handled=False: aiosmtpd answers 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(conf)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=tls,
            require_starttls=tls is not None,
            auth_required=bool(user),
            auth_require_tls=tls is not None,
            authenticator=authenticate if user else None,
            enable_SMTPUTF8=bool(conf.get("smtputf8")),
            timeout=10,
            loop=loop,
        )

    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=conf["port"], reuse_address=True))
    port = server.sockets[0].getsockname()[1]
    print("ready %d" % port, flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
