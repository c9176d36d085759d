-- The issuance ledger, schema version 1: what store's bbolt file holds, in
-- tables. Serials are numeric (positive integers), key identifiers and
-- hashes bytea, times timestamptz (microseconds; NULL for "none").

-- The head of the audit chain: one row, locked FOR UPDATE by every write,
-- so that concurrent writers (from any number of processes) take change
-- numbers one at a time and the chain stays one line.
CREATE TABLE ledger_head (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq  bigint NOT NULL CHECK (seq >= 0),
	hash bytea NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO ledger_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- The audit log. entry is the canonical encoding followed by its
-- Streebog-256 hash, exactly as the bbolt ledger stores it: it is what
-- VerifyAudit checks; the other columns repeat it for queries.
CREATE TABLE audit (
	seq    bigint PRIMARY KEY CHECK (seq > 0),
	at     timestamptz NOT NULL,
	op     text NOT NULL,
	serial numeric,
	detail text NOT NULL,
	entry  bytea NOT NULL
);

CREATE TABLE certificates (
	serial         numeric PRIMARY KEY CHECK (serial > 0 AND scale(serial) = 0),
	issuer_key_id  bytea NOT NULL,
	issuer         text NOT NULL,
	subject        text NOT NULL,
	subject_key_id bytea,
	profile        text NOT NULL,
	request_id     text NOT NULL,
	not_before     timestamptz,
	not_after      timestamptz,
	-- 1 reserved, 2 good, 3 held, 4 revoked, 5 abandoned (store.Status)
	status         smallint NOT NULL CHECK (status BETWEEN 1 AND 5),
	predecessor    numeric REFERENCES certificates (serial),
	successor      numeric REFERENCES certificates (serial),
	der            bytea,
	application    text,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL,
	CHECK ((status IN (1, 5)) = (der IS NULL))
);
-- Expiring: the valid and held certificates by notAfter.
CREATE INDEX certificates_expiry ON certificates (not_after, serial) WHERE status IN (2, 3);
-- BySubjectKeyID, and the check that a key is certified once.
CREATE INDEX certificates_ski ON certificates (subject_key_id, serial)
	WHERE status IN (2, 3, 4) AND subject_key_id IS NOT NULL;
-- At most one certificate that is not abandoned per application.
CREATE UNIQUE INDEX certificates_application ON certificates (application)
	WHERE application IS NOT NULL AND status <> 5;

-- The held and revoked certificates, per issuer: a CRL's entries.
CREATE TABLE revocations (
	issuer_key_id bytea NOT NULL,
	serial        numeric NOT NULL REFERENCES certificates (serial),
	revoked_at    timestamptz NOT NULL,
	reason        smallint NOT NULL CHECK (reason BETWEEN 0 AND 10 AND reason NOT IN (7, 8)),
	invalidity    timestamptz,
	seq           bigint NOT NULL UNIQUE,
	PRIMARY KEY (issuer_key_id, serial)
);
CREATE INDEX revocations_seq ON revocations (issuer_key_id, seq);

-- The latest release from hold of each serial: removeFromCRL in delta CRLs.
CREATE TABLE removals (
	issuer_key_id bytea NOT NULL,
	serial        numeric NOT NULL REFERENCES certificates (serial),
	released_at   timestamptz NOT NULL,
	seq           bigint NOT NULL,
	PRIMARY KEY (issuer_key_id, serial)
);
CREATE INDEX removals_seq ON removals (issuer_key_id, seq);

-- What the ledger knows of each issuer's CRLs (store.CRLState).
CREATE TABLE crl_state (
	issuer_key_id     bytea PRIMARY KEY,
	last_number       numeric NOT NULL,
	full_number       numeric,
	full_this_update  timestamptz,
	full_seq          bigint,
	delta_number      numeric,
	delta_this_update timestamptz,
	delta_seq         bigint,
	delta_base        numeric
);

CREATE TABLE applications (
	number      text COLLATE "C" PRIMARY KEY,
	state       text NOT NULL,
	open        boolean NOT NULL,
	key_id      bytea NOT NULL,
	serial      numeric REFERENCES certificates (serial),
	deadline    timestamptz,
	-- [{"name", "type", "size", "hash" (hex)}], in the application's order
	attachments jsonb NOT NULL,
	data        bytea NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	version     bigint NOT NULL
);
-- A key is in at most one open application.
CREATE UNIQUE INDEX applications_open_key ON applications (key_id) WHERE open;

-- The last application number given in each year.
CREATE TABLE application_numbers (
	year integer PRIMARY KEY,
	last bigint NOT NULL
);

-- Attachments' contents, once each, by Streebog-256 hash.
CREATE TABLE blobs (
	hash    bytea PRIMARY KEY CHECK (length(hash) = 32),
	content bytea NOT NULL
);

CREATE TABLE outbox (
	id          bigint PRIMARY KEY,
	to_addr     text NOT NULL,
	subject     text NOT NULL,
	body        text NOT NULL,
	attempts    integer NOT NULL,
	next        timestamptz,
	last_error  text NOT NULL,
	created_at  timestamptz NOT NULL,
	sent_at     timestamptz,
	gave_up_at  timestamptz,
	seq         bigint NOT NULL,
	application text NOT NULL
);
-- DueMail: the messages neither sent nor given up, by next attempt.
CREATE INDEX outbox_due ON outbox (next, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;

-- Expiry reminders queued, once per certificate and mark.
CREATE TABLE reminders (
	serial numeric NOT NULL REFERENCES certificates (serial),
	days   integer NOT NULL,
	seq    bigint NOT NULL,
	PRIMARY KEY (serial, days)
);
