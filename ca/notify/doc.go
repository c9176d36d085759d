// Package notify tells applicants by e-mail what happened to their
// application or certificate: in Russian, as plain UTF-8 text, over SMTP
// with STARTTLS, through an outbox so that no message is lost while the
// mail server is down.
//
// # Parts
//
// [Render] turns an [Event] (an application submitted, approved, rejected
// with the reason; a certificate issued, held, revoked; a reminder 30, 7
// or 1 days before a certificate expires) into a [Message]: a subject and
// a body in Russian, the plural forms right. It does no I/O: the ledger
// renders the message in the same transaction as the change it reports,
// and keeps it in its outbox.
//
// [SMTP] is a [Sender]: it encodes a Message per RFC 5322 and RFC 2045
// (the subject as RFC 2047 encoded-words, the body base64 of UTF-8) and
// hands it to a mail server. STARTTLS is required unless the configuration
// says "none", which only a loopback server may use, without credentials:
// neither a password nor a message leaves the machine in clear. The
// password goes as AUTH PLAIN, only inside TLS.
//
// [Deliverer] drains an [Outbox], which the ledger implements, through a
// Sender: oldest first, with exponential backoff between attempts.
// [Config] is the "mail" section of gostca.json.
//
// # Delivery guarantees
//
// A message is sent at least once: it leaves the outbox only when the
// server has accepted it and [Outbox.Sent] recorded that. If the server
// accepted it but the mark was lost (a crash, a ledger error) it is sent
// again, with the same Message-ID header, derived from the outbox's id, so
// that the duplicate is recognisable; mail clients and many servers drop
// it. Failures are retried:
//
//   - A failure that may pass (the server down or slow, a 4xx answer, a
//     refused login, a 5xx answer to EHLO, STARTTLS, AUTH or MAIL FROM,
//     which are the sender's configuration and not the recipient's) is
//     retried without end, after 30 seconds, doubling to at most an hour,
//     each delay shortened by a random part of up to half (jitter), so a
//     mail server that comes back is not met by every message at once.
//     Such a failure also ends the round: the rest waits for the next
//     poll, so a server that is down costs one connection attempt per
//     poll, not one per message.
//   - A permanent refusal of this message (a 5xx answer to RCPT TO or to
//     the message's data, or a message that cannot be encoded: see
//     [Permanent]) is retried on the same schedule until the message has
//     been tried [DelivererConfig.PermanentAttempts] times (5 by default),
//     then given up: [Outbox.GaveUp] records it, never offered again, and
//     it is logged at error level. A mistyped address should not be tried
//     for ever, but one 550 from a misconfigured server should not lose a
//     message either.
//
// # Security
//
// Header injection is impossible: a recipient or subject with CR or LF is
// refused, addresses are checked with net/mail, and the subject is always
// encoded. The SMTP password is never logged: [SMTPConfig] and [Config]
// log without it (slog.LogValuer), and no error carries it. The server's
// certificate is verified against [SMTPConfig.RootCAs] (the system's pool
// by default), with TLS 1.2 at least.
//
// # Concurrency
//
// Render is a pure function. An SMTP is safe for concurrent use; each
// Send opens its own connection. A Deliverer runs one round at a time;
// one Deliverer must drain an outbox, or messages may go twice.
package notify
