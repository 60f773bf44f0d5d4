CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)

CREATE TABLE companies (
	id VARCHAR(36) NOT NULL,
	name VARCHAR(200) NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_companies PRIMARY KEY (id),
	CONSTRAINT uq_companies_name UNIQUE (name)
)

CREATE INDEX ix_companies_created_at_id ON companies (created_at, id)

CREATE TABLE connections (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	method VARCHAR(32) NOT NULL,
	username VARCHAR(64) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	owner_id VARCHAR(38) NOT NULL,
	file_id VARCHAR(38) NOT NULL,
	paused BOOLEAN NOT NULL,
	schedule_every_minutes INTEGER NOT NULL,
	sync_window JSON,
	bound_company JSON,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_connections PRIMARY KEY (id),
	CONSTRAINT fk_connections_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE,
	CONSTRAINT uq_connections_username UNIQUE (username),
	CONSTRAINT uq_connections_file_id UNIQUE (file_id),
	CONSTRAINT ck_connections_connection_method CHECK (method IN ('desktop_app', 'enterprise_cloud', 'rightworks'))
)

CREATE INDEX ix_connections_company_id ON connections (company_id)

CREATE TABLE api_keys (
	id VARCHAR(36) NOT NULL,
	name VARCHAR(200) NOT NULL,
	prefix VARCHAR(16) NOT NULL,
	key_hash VARCHAR(255) NOT NULL,
	created_at DATETIME NOT NULL,
	revoked_at DATETIME,
	CONSTRAINT pk_api_keys PRIMARY KEY (id),
	CONSTRAINT uq_api_keys_prefix UNIQUE (prefix)
)

INSERT INTO alembic_version (version_num) VALUES ('0001_core') RETURNING version_num

CREATE TABLE qbwc_sessions (
	ticket VARCHAR(64) NOT NULL,
	connection_id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	phase VARCHAR(32) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	ttl_seconds INTEGER NOT NULL,
	max_noops INTEGER NOT NULL,
	has_work BOOLEAN NOT NULL,
	auth_path TEXT NOT NULL,
	qbxml_version VARCHAR(16),
	country VARCHAR(8) NOT NULL,
	company_file TEXT NOT NULL,
	began BOOLEAN NOT NULL,
	ended BOOLEAN NOT NULL,
	requests_sent INTEGER NOT NULL,
	responses_received INTEGER NOT NULL,
	last_percent INTEGER NOT NULL,
	last_response_digest VARCHAR(64),
	last_error TEXT NOT NULL,
	noop_count INTEGER NOT NULL,
	connection_errors INTEGER NOT NULL,
	hresult VARCHAR(32),
	summary TEXT NOT NULL,
	lock_seq INTEGER NOT NULL,
	claim_token VARCHAR(64),
	claim_expires_at DATETIME,
	CONSTRAINT pk_qbwc_sessions PRIMARY KEY (ticket),
	CONSTRAINT fk_qbwc_sessions_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

CREATE INDEX ix_qbwc_sessions_connection_phase ON qbwc_sessions (connection_id, phase)

CREATE INDEX ix_qbwc_sessions_expires_at ON qbwc_sessions (expires_at)

CREATE TABLE qbwc_auth_failures (
	username VARCHAR(255) NOT NULL,
	failures INTEGER NOT NULL,
	first_failure_at DATETIME NOT NULL,
	last_failure_at DATETIME NOT NULL,
	next_attempt_at DATETIME,
	locked_until DATETIME,
	CONSTRAINT pk_qbwc_auth_failures PRIMARY KEY (username)
)

CREATE TABLE qbwc_connection_locks (
	connection_id VARCHAR(36) NOT NULL,
	lock_seq INTEGER NOT NULL,
	last_ticket VARCHAR(64),
	CONSTRAINT pk_qbwc_connection_locks PRIMARY KEY (connection_id),
	CONSTRAINT fk_qbwc_connection_locks_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

UPDATE alembic_version SET version_num='0002_qbwc' WHERE alembic_version.version_num = '0001_core'

CREATE TABLE sync_cursors (
	company_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40) NOT NULL,
	watermark VARCHAR(40),
	full_done BOOLEAN NOT NULL,
	run_id VARCHAR(36),
	state VARCHAR(16) NOT NULL,
	iterator_id VARCHAR(64),
	iterator_ticket VARCHAR(64),
	remaining INTEGER,
	fetched INTEGER NOT NULL,
	high_water VARCHAR(40),
	min_offset INTEGER,
	max_offset INTEGER,
	seq INTEGER NOT NULL,
	in_flight_request_id VARCHAR(50),
	in_flight_ticket VARCHAR(64),
	in_flight_request TEXT,
	attempts INTEGER NOT NULL,
	restarts INTEGER NOT NULL,
	last_swept_at DATETIME,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_sync_cursors PRIMARY KEY (company_id, data_type),
	CONSTRAINT fk_sync_cursors_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE TABLE records (
	id INTEGER NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40) NOT NULL,
	qb_id VARCHAR(64) NOT NULL,
	ret VARCHAR(64) NOT NULL,
	time_modified VARCHAR(40),
	time_modified_utc DATETIME,
	edit_sequence VARCHAR(32),
	data TEXT NOT NULL,
	normalised TEXT NOT NULL,
	deleted_at DATETIME,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_records PRIMARY KEY (id),
	CONSTRAINT uq_records_company_type_qb_id UNIQUE (company_id, data_type, qb_id),
	CONSTRAINT fk_records_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_records_company_type_modified ON records (company_id, data_type, time_modified_utc)

CREATE TABLE sync_runs (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	connection_id VARCHAR(36),
	ticket VARCHAR(64),
	status VARCHAR(16) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	data_types JSON NOT NULL,
	requested_types JSON,
	created_at DATETIME NOT NULL,
	started_at DATETIME,
	ended_at DATETIME,
	summary TEXT,
	CONSTRAINT pk_sync_runs PRIMARY KEY (id),
	CONSTRAINT fk_sync_runs_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_sync_runs_company_created ON sync_runs (company_id, created_at)

CREATE INDEX ix_sync_runs_ticket ON sync_runs (ticket)

CREATE TABLE sync_run_types (
	run_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40) NOT NULL,
	status VARCHAR(16) NOT NULL,
	fetched INTEGER NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	unchanged INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	errors INTEGER NOT NULL,
	CONSTRAINT pk_sync_run_types PRIMARY KEY (run_id, data_type),
	CONSTRAINT fk_sync_run_types_run_id_sync_runs FOREIGN KEY(run_id) REFERENCES sync_runs (id) ON DELETE CASCADE
)

CREATE TABLE sync_run_errors (
	id INTEGER NOT NULL,
	run_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40),
	status_code INTEGER,
	hresult VARCHAR(12),
	status_class VARCHAR(32) NOT NULL,
	message TEXT NOT NULL,
	at DATETIME NOT NULL,
	CONSTRAINT pk_sync_run_errors PRIMARY KEY (id),
	CONSTRAINT fk_sync_run_errors_run_id_sync_runs FOREIGN KEY(run_id) REFERENCES sync_runs (id) ON DELETE CASCADE
)

CREATE INDEX ix_sync_run_errors_run ON sync_run_errors (run_id)

CREATE TABLE outbox (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40) NOT NULL,
	operation VARCHAR(16) NOT NULL,
	payload TEXT NOT NULL,
	idempotency_key VARCHAR(128),
	status VARCHAR(16) NOT NULL,
	message_set_id VARCHAR(24),
	request_id VARCHAR(50),
	result_qb_id VARCHAR(64),
	status_code INTEGER,
	error TEXT,
	attempts INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_outbox PRIMARY KEY (id),
	CONSTRAINT uq_outbox_company_idempotency UNIQUE (company_id, idempotency_key),
	CONSTRAINT fk_outbox_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_outbox_company_status ON outbox (company_id, status)

CREATE TABLE webhooks (
	id VARCHAR(36) NOT NULL,
	url TEXT NOT NULL,
	events JSON NOT NULL,
	secret_hash TEXT,
	active BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_webhooks PRIMARY KEY (id)
)

UPDATE alembic_version SET version_num='0003_sync' WHERE alembic_version.version_num = '0002_qbwc'

CREATE TABLE sync_inbox (
	id INTEGER NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	run_id VARCHAR(36) NOT NULL,
	data_type VARCHAR(40) NOT NULL,
	request_id VARCHAR(50) NOT NULL,
	qbxml_version VARCHAR(8) NOT NULL,
	response TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_sync_inbox PRIMARY KEY (id),
	CONSTRAINT fk_sync_inbox_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_records_company_type_id ON records (company_id, data_type, id)

CREATE INDEX ix_sync_inbox_company ON sync_inbox (company_id, id)

UPDATE alembic_version SET version_num='0004_inbox' WHERE alembic_version.version_num = '0003_sync'

CREATE TABLE platform_settings (
	id VARCHAR(16) NOT NULL,
	integration_enabled BOOLEAN NOT NULL,
	allow_writes BOOLEAN NOT NULL,
	app_name VARCHAR(80),
	description VARCHAR(200),
	support_url VARCHAR(500),
	accent_color VARCHAR(7),
	logo_type VARCHAR(32),
	logo_data BLOB,
	logo_sha256 VARCHAR(64),
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_platform_settings PRIMARY KEY (id)
)

CREATE TABLE connection_links (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	connection_id VARCHAR(36) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	revoked_at DATETIME,
	consent_id VARCHAR(36),
	revealed_at DATETIME,
	CONSTRAINT pk_connection_links PRIMARY KEY (id),
	CONSTRAINT fk_connection_links_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE,
	CONSTRAINT fk_connection_links_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE,
	CONSTRAINT uq_connection_links_token_hash UNIQUE (token_hash)
)

CREATE INDEX ix_connection_links_company_id ON connection_links (company_id)

CREATE INDEX ix_connection_links_connection_id ON connection_links (connection_id)

CREATE TABLE consents (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	connection_id VARCHAR(36),
	link_id VARCHAR(36),
	wording_version VARCHAR(32) NOT NULL,
	app_name VARCHAR(80) NOT NULL,
	data_types JSON NOT NULL,
	reports JSON NOT NULL,
	writes JSON NOT NULL,
	agreed_at DATETIME NOT NULL,
	agreed_from VARCHAR(64) NOT NULL,
	user_agent VARCHAR(300) NOT NULL,
	withdrawn_at DATETIME,
	withdrawn_from VARCHAR(64),
	delete_requested BOOLEAN NOT NULL,
	records_deleted_at DATETIME,
	CONSTRAINT pk_consents PRIMARY KEY (id),
	CONSTRAINT fk_consents_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_consents_company_id ON consents (company_id)

CREATE TABLE web_sessions (
	id_hash VARCHAR(64) NOT NULL,
	kind VARCHAR(8) NOT NULL,
	subject VARCHAR(36) NOT NULL,
	csrf VARCHAR(64) NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	CONSTRAINT pk_web_sessions PRIMARY KEY (id_hash)
)

CREATE INDEX ix_web_sessions_expires_at ON web_sessions (expires_at)

CREATE TABLE connection_activity (
	connection_id VARCHAR(36) NOT NULL,
	first_authenticated_at DATETIME NOT NULL,
	last_authenticated_at DATETIME NOT NULL,
	CONSTRAINT pk_connection_activity PRIMARY KEY (connection_id),
	CONSTRAINT fk_connection_activity_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

UPDATE alembic_version SET version_num='0005_portal' WHERE alembic_version.version_num = '0004_inbox'

ALTER TABLE qbwc_sessions ADD COLUMN served_by VARCHAR(160)

UPDATE alembic_version SET version_num='0006_qbwc_served_by' WHERE alembic_version.version_num = '0005_portal'

DROP TABLE qbwc_auth_failures

CREATE TABLE qbwc_auth_failures (
	username VARCHAR(255) NOT NULL,
	source VARCHAR(64) NOT NULL,
	failures INTEGER NOT NULL,
	first_failure_at DATETIME NOT NULL,
	last_failure_at DATETIME NOT NULL,
	next_attempt_at DATETIME,
	locked_until DATETIME,
	CONSTRAINT pk_qbwc_auth_failures PRIMARY KEY (username, source)
)

UPDATE alembic_version SET version_num='0007_auth_failure_source' WHERE alembic_version.version_num = '0006_qbwc_served_by'

CREATE TABLE _alembic_tmp_qbwc_sessions (
	ticket_hash VARCHAR(64) NOT NULL,
	connection_id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	phase VARCHAR(32) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	ttl_seconds INTEGER NOT NULL,
	max_noops INTEGER NOT NULL,
	has_work BOOLEAN NOT NULL,
	auth_path TEXT NOT NULL,
	qbxml_version VARCHAR(16),
	country VARCHAR(8) NOT NULL,
	company_file TEXT NOT NULL,
	began BOOLEAN NOT NULL,
	ended BOOLEAN NOT NULL,
	requests_sent INTEGER NOT NULL,
	responses_received INTEGER NOT NULL,
	last_percent INTEGER NOT NULL,
	last_response_digest VARCHAR(64),
	last_error TEXT NOT NULL,
	noop_count INTEGER NOT NULL,
	connection_errors INTEGER NOT NULL,
	hresult VARCHAR(32),
	summary TEXT NOT NULL,
	lock_seq INTEGER NOT NULL,
	claim_token VARCHAR(64),
	claim_expires_at DATETIME,
	served_by VARCHAR(160),
	CONSTRAINT pk_qbwc_sessions PRIMARY KEY (ticket_hash),
	CONSTRAINT fk_qbwc_sessions_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

INSERT INTO _alembic_tmp_qbwc_sessions (ticket_hash, connection_id, company_id, phase, created_at, updated_at, expires_at, ttl_seconds, max_noops, has_work, auth_path, qbxml_version, country, company_file, began, ended, requests_sent, responses_received, last_percent, last_response_digest, last_error, noop_count, connection_errors, hresult, summary, lock_seq, claim_token, claim_expires_at, served_by) SELECT qbwc_sessions.ticket, qbwc_sessions.connection_id, qbwc_sessions.company_id, qbwc_sessions.phase, qbwc_sessions.created_at, qbwc_sessions.updated_at, qbwc_sessions.expires_at, qbwc_sessions.ttl_seconds, qbwc_sessions.max_noops, qbwc_sessions.has_work, qbwc_sessions.auth_path, qbwc_sessions.qbxml_version, qbwc_sessions.country, qbwc_sessions.company_file, qbwc_sessions.began, qbwc_sessions.ended, qbwc_sessions.requests_sent, qbwc_sessions.responses_received, qbwc_sessions.last_percent, qbwc_sessions.last_response_digest, qbwc_sessions.last_error, qbwc_sessions.noop_count, qbwc_sessions.connection_errors, qbwc_sessions.hresult, qbwc_sessions.summary, qbwc_sessions.lock_seq, qbwc_sessions.claim_token, qbwc_sessions.claim_expires_at, qbwc_sessions.served_by
FROM qbwc_sessions

DROP TABLE qbwc_sessions

ALTER TABLE _alembic_tmp_qbwc_sessions RENAME TO qbwc_sessions

CREATE INDEX ix_qbwc_sessions_connection_phase ON qbwc_sessions (connection_id, phase)

CREATE INDEX ix_qbwc_sessions_expires_at ON qbwc_sessions (expires_at)

CREATE TABLE _alembic_tmp_qbwc_connection_locks (
	connection_id VARCHAR(36) NOT NULL,
	lock_seq INTEGER NOT NULL,
	last_ticket_hash VARCHAR(64),
	CONSTRAINT pk_qbwc_connection_locks PRIMARY KEY (connection_id),
	CONSTRAINT fk_qbwc_connection_locks_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

INSERT INTO _alembic_tmp_qbwc_connection_locks (connection_id, lock_seq, last_ticket_hash) SELECT qbwc_connection_locks.connection_id, qbwc_connection_locks.lock_seq, qbwc_connection_locks.last_ticket
FROM qbwc_connection_locks

DROP TABLE qbwc_connection_locks

ALTER TABLE _alembic_tmp_qbwc_connection_locks RENAME TO qbwc_connection_locks

UPDATE alembic_version SET version_num='0008_ticket_hash' WHERE alembic_version.version_num = '0007_auth_failure_source'

ALTER TABLE api_keys ADD COLUMN scoped BOOLEAN DEFAULT 0 NOT NULL

CREATE TABLE api_key_companies (
	key_id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	CONSTRAINT pk_api_key_companies PRIMARY KEY (key_id, company_id),
	CONSTRAINT fk_api_key_companies_key_id_api_keys FOREIGN KEY(key_id) REFERENCES api_keys (id) ON DELETE CASCADE,
	CONSTRAINT fk_api_key_companies_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_api_key_companies_company_id ON api_key_companies (company_id)

UPDATE alembic_version SET version_num='0009_api_key_scopes' WHERE alembic_version.version_num = '0008_ticket_hash'

ALTER TABLE platform_settings ADD COLUMN public_url VARCHAR(500)

UPDATE alembic_version SET version_num='0010_public_url' WHERE alembic_version.version_num = '0009_api_key_scopes'

DROP TABLE webhooks

CREATE TABLE webhooks (
	id VARCHAR(36) NOT NULL,
	url TEXT NOT NULL,
	events JSON NOT NULL,
	secret VARCHAR(128) NOT NULL,
	company_ids JSON,
	created_by VARCHAR(36),
	active BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_webhooks PRIMARY KEY (id)
)

CREATE TABLE webhook_deliveries (
	id VARCHAR(36) NOT NULL,
	webhook_id VARCHAR(36) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	event VARCHAR(40) NOT NULL,
	company_id VARCHAR(36),
	body TEXT NOT NULL,
	status VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at DATETIME NOT NULL,
	claim_token VARCHAR(36),
	claimed_until DATETIME,
	last_status_code INTEGER,
	last_error VARCHAR(500),
	last_attempt_at DATETIME,
	latency_ms INTEGER,
	created_at DATETIME NOT NULL,
	delivered_at DATETIME,
	CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
	CONSTRAINT fk_webhook_deliveries_webhook_id_webhooks FOREIGN KEY(webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE
)

CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)

CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at)

UPDATE alembic_version SET version_num='0011_webhooks' WHERE alembic_version.version_num = '0010_public_url'

ALTER TABLE sync_cursors ADD COLUMN page_size INTEGER

UPDATE alembic_version SET version_num='0012_cursor_page_size' WHERE alembic_version.version_num = '0011_webhooks'

CREATE TABLE reports (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	report_type VARCHAR(40) NOT NULL,
	basis VARCHAR(16) NOT NULL,
	period_key VARCHAR(60) NOT NULL,
	from_date DATE,
	to_date DATE,
	as_of DATE,
	body JSON NOT NULL,
	taken_at DATETIME NOT NULL,
	CONSTRAINT pk_reports PRIMARY KEY (id),
	CONSTRAINT fk_reports_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE,
	CONSTRAINT uq_reports_key UNIQUE (company_id, report_type, basis, period_key)
)

CREATE INDEX ix_reports_latest ON reports (company_id, report_type, taken_at)

CREATE TABLE report_requests (
	id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	report_type VARCHAR(40) NOT NULL,
	basis VARCHAR(16) NOT NULL,
	from_date DATE,
	to_date DATE,
	as_of DATE,
	by_month BOOLEAN NOT NULL,
	origin VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL,
	ticket VARCHAR(64),
	request_id VARCHAR(50),
	error VARCHAR(500),
	created_at DATETIME NOT NULL,
	answered_at DATETIME,
	CONSTRAINT pk_report_requests PRIMARY KEY (id),
	CONSTRAINT fk_report_requests_company_id_companies FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE CASCADE
)

CREATE INDEX ix_report_requests_open ON report_requests (company_id, status, created_at)

UPDATE alembic_version SET version_num='0013_reports' WHERE alembic_version.version_num = '0012_cursor_page_size'

ALTER TABLE sync_cursors ADD COLUMN phase VARCHAR(16)

ALTER TABLE sync_cursors ADD COLUMN pending TEXT

UPDATE alembic_version SET version_num='0014_cursor_probe' WHERE alembic_version.version_num = '0013_reports'

UPDATE alembic_version SET version_num='0015_lz4_texts' WHERE alembic_version.version_num = '0014_cursor_probe'

CREATE TABLE report_row_chunks (
	report_id VARCHAR(36) NOT NULL,
	seq INTEGER NOT NULL,
	text TEXT NOT NULL,
	CONSTRAINT pk_report_row_chunks PRIMARY KEY (report_id, seq),
	CONSTRAINT fk_report_row_chunks_report_id_reports FOREIGN KEY(report_id) REFERENCES reports (id) ON DELETE CASCADE
)

UPDATE alembic_version SET version_num='0016_report_row_chunks' WHERE alembic_version.version_num = '0015_lz4_texts'

DROP TABLE report_row_chunks

UPDATE alembic_version SET version_num='0015_lz4_texts' WHERE alembic_version.version_num = '0016_report_row_chunks'

UPDATE alembic_version SET version_num='0014_cursor_probe' WHERE alembic_version.version_num = '0015_lz4_texts'

ALTER TABLE sync_cursors DROP COLUMN pending

ALTER TABLE sync_cursors DROP COLUMN phase

UPDATE alembic_version SET version_num='0013_reports' WHERE alembic_version.version_num = '0014_cursor_probe'

DROP INDEX ix_report_requests_open

DROP TABLE report_requests

DROP INDEX ix_reports_latest

DROP TABLE reports

UPDATE alembic_version SET version_num='0012_cursor_page_size' WHERE alembic_version.version_num = '0013_reports'

ALTER TABLE sync_cursors DROP COLUMN page_size

UPDATE alembic_version SET version_num='0011_webhooks' WHERE alembic_version.version_num = '0012_cursor_page_size'

DROP TABLE webhook_deliveries

DROP TABLE webhooks

CREATE TABLE webhooks (
	id VARCHAR(36) NOT NULL,
	url TEXT NOT NULL,
	events JSON NOT NULL,
	secret_hash TEXT,
	active BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	CONSTRAINT pk_webhooks PRIMARY KEY (id)
)

UPDATE alembic_version SET version_num='0010_public_url' WHERE alembic_version.version_num = '0011_webhooks'

CREATE TABLE _alembic_tmp_platform_settings (
	id VARCHAR(16) NOT NULL,
	integration_enabled BOOLEAN NOT NULL,
	allow_writes BOOLEAN NOT NULL,
	app_name VARCHAR(80),
	description VARCHAR(200),
	support_url VARCHAR(500),
	accent_color VARCHAR(7),
	logo_type VARCHAR(32),
	logo_data BLOB,
	logo_sha256 VARCHAR(64),
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_platform_settings PRIMARY KEY (id)
)

INSERT INTO _alembic_tmp_platform_settings (id, integration_enabled, allow_writes, app_name, description, support_url, accent_color, logo_type, logo_data, logo_sha256, updated_at) SELECT platform_settings.id, platform_settings.integration_enabled, platform_settings.allow_writes, platform_settings.app_name, platform_settings.description, platform_settings.support_url, platform_settings.accent_color, platform_settings.logo_type, platform_settings.logo_data, platform_settings.logo_sha256, platform_settings.updated_at
FROM platform_settings

DROP TABLE platform_settings

ALTER TABLE _alembic_tmp_platform_settings RENAME TO platform_settings

UPDATE alembic_version SET version_num='0009_api_key_scopes' WHERE alembic_version.version_num = '0010_public_url'

DROP INDEX ix_api_key_companies_company_id

DROP TABLE api_key_companies

ALTER TABLE api_keys DROP COLUMN scoped

UPDATE alembic_version SET version_num='0008_ticket_hash' WHERE alembic_version.version_num = '0009_api_key_scopes'

DELETE FROM qbwc_sessions

UPDATE qbwc_connection_locks SET last_ticket_hash = NULL

CREATE TABLE _alembic_tmp_qbwc_connection_locks (
	connection_id VARCHAR(36) NOT NULL,
	lock_seq INTEGER NOT NULL,
	last_ticket VARCHAR(64),
	CONSTRAINT pk_qbwc_connection_locks PRIMARY KEY (connection_id),
	CONSTRAINT fk_qbwc_connection_locks_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

INSERT INTO _alembic_tmp_qbwc_connection_locks (connection_id, lock_seq, last_ticket) SELECT qbwc_connection_locks.connection_id, qbwc_connection_locks.lock_seq, qbwc_connection_locks.last_ticket_hash
FROM qbwc_connection_locks

DROP TABLE qbwc_connection_locks

ALTER TABLE _alembic_tmp_qbwc_connection_locks RENAME TO qbwc_connection_locks

CREATE TABLE _alembic_tmp_qbwc_sessions (
	ticket VARCHAR(64) NOT NULL,
	connection_id VARCHAR(36) NOT NULL,
	company_id VARCHAR(36) NOT NULL,
	phase VARCHAR(32) NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	ttl_seconds INTEGER NOT NULL,
	max_noops INTEGER NOT NULL,
	has_work BOOLEAN NOT NULL,
	auth_path TEXT NOT NULL,
	qbxml_version VARCHAR(16),
	country VARCHAR(8) NOT NULL,
	company_file TEXT NOT NULL,
	began BOOLEAN NOT NULL,
	ended BOOLEAN NOT NULL,
	requests_sent INTEGER NOT NULL,
	responses_received INTEGER NOT NULL,
	last_percent INTEGER NOT NULL,
	last_response_digest VARCHAR(64),
	last_error TEXT NOT NULL,
	noop_count INTEGER NOT NULL,
	connection_errors INTEGER NOT NULL,
	hresult VARCHAR(32),
	summary TEXT NOT NULL,
	lock_seq INTEGER NOT NULL,
	claim_token VARCHAR(64),
	claim_expires_at DATETIME,
	served_by VARCHAR(160),
	CONSTRAINT pk_qbwc_sessions PRIMARY KEY (ticket),
	CONSTRAINT fk_qbwc_sessions_connection_id_connections FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
)

INSERT INTO _alembic_tmp_qbwc_sessions (ticket, connection_id, company_id, phase, created_at, updated_at, expires_at, ttl_seconds, max_noops, has_work, auth_path, qbxml_version, country, company_file, began, ended, requests_sent, responses_received, last_percent, last_response_digest, last_error, noop_count, connection_errors, hresult, summary, lock_seq, claim_token, claim_expires_at, served_by) SELECT qbwc_sessions.ticket_hash, qbwc_sessions.connection_id, qbwc_sessions.company_id, qbwc_sessions.phase, qbwc_sessions.created_at, qbwc_sessions.updated_at, qbwc_sessions.expires_at, qbwc_sessions.ttl_seconds, qbwc_sessions.max_noops, qbwc_sessions.has_work, qbwc_sessions.auth_path, qbwc_sessions.qbxml_version, qbwc_sessions.country, qbwc_sessions.company_file, qbwc_sessions.began, qbwc_sessions.ended, qbwc_sessions.requests_sent, qbwc_sessions.responses_received, qbwc_sessions.last_percent, qbwc_sessions.last_response_digest, qbwc_sessions.last_error, qbwc_sessions.noop_count, qbwc_sessions.connection_errors, qbwc_sessions.hresult, qbwc_sessions.summary, qbwc_sessions.lock_seq, qbwc_sessions.claim_token, qbwc_sessions.claim_expires_at, qbwc_sessions.served_by
FROM qbwc_sessions

DROP TABLE qbwc_sessions

ALTER TABLE _alembic_tmp_qbwc_sessions RENAME TO qbwc_sessions

CREATE INDEX ix_qbwc_sessions_connection_phase ON qbwc_sessions (connection_id, phase)

CREATE INDEX ix_qbwc_sessions_expires_at ON qbwc_sessions (expires_at)

UPDATE alembic_version SET version_num='0007_auth_failure_source' WHERE alembic_version.version_num = '0008_ticket_hash'

DROP TABLE qbwc_auth_failures

CREATE TABLE qbwc_auth_failures (
	username VARCHAR(255) NOT NULL,
	failures INTEGER NOT NULL,
	first_failure_at DATETIME NOT NULL,
	last_failure_at DATETIME NOT NULL,
	next_attempt_at DATETIME,
	locked_until DATETIME,
	CONSTRAINT pk_qbwc_auth_failures PRIMARY KEY (username)
)

UPDATE alembic_version SET version_num='0006_qbwc_served_by' WHERE alembic_version.version_num = '0007_auth_failure_source'

ALTER TABLE qbwc_sessions DROP COLUMN served_by

UPDATE alembic_version SET version_num='0005_portal' WHERE alembic_version.version_num = '0006_qbwc_served_by'

DROP TABLE connection_activity

DROP INDEX ix_web_sessions_expires_at

DROP TABLE web_sessions

DROP INDEX ix_consents_company_id

DROP TABLE consents

DROP INDEX ix_connection_links_connection_id

DROP INDEX ix_connection_links_company_id

DROP TABLE connection_links

DROP TABLE platform_settings

UPDATE alembic_version SET version_num='0004_inbox' WHERE alembic_version.version_num = '0005_portal'

DROP INDEX ix_records_company_type_id

DROP INDEX ix_sync_inbox_company

DROP TABLE sync_inbox

UPDATE alembic_version SET version_num='0003_sync' WHERE alembic_version.version_num = '0004_inbox'

DROP TABLE webhooks

DROP TABLE outbox

DROP TABLE sync_run_errors

DROP TABLE sync_run_types

DROP TABLE sync_runs

DROP TABLE records

DROP TABLE sync_cursors

UPDATE alembic_version SET version_num='0002_qbwc' WHERE alembic_version.version_num = '0003_sync'

DROP TABLE qbwc_connection_locks

DROP TABLE qbwc_auth_failures

DROP INDEX ix_qbwc_sessions_expires_at

DROP INDEX ix_qbwc_sessions_connection_phase

DROP TABLE qbwc_sessions

UPDATE alembic_version SET version_num='0001_core' WHERE alembic_version.version_num = '0002_qbwc'

DROP TABLE api_keys

DROP INDEX ix_connections_company_id

DROP TABLE connections

DROP INDEX ix_companies_created_at_id

DROP TABLE companies

DELETE FROM alembic_version WHERE alembic_version.version_num = '0001_core'
