-- The bot's history: what Redis (the hot state) forgets a day after an incident resolves.
-- Applied once, in order, by the bot at start (src/history/migrate.ts), inside a transaction.

-- An incident id restarts at INC-1 if Redis ever comes back empty: its first-seen time tells them apart.
CREATE TABLE incidents (
  id text NOT NULL,
  first_seen timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  severity text NOT NULL,
  services text[] NOT NULL,
  origin text,
  last_seen timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text,
  acknowledged_by text,
  acknowledged_at timestamptz,
  merged_into text,
  alerts jsonb NOT NULL,
  timeline jsonb NOT NULL,
  revision integer NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, first_seen)
);
CREATE INDEX incidents_services ON incidents USING gin (services);
CREATE INDEX incidents_first_seen ON incidents (first_seen DESC);

-- Remediation requests from proposal to verification.
CREATE TABLE actions (
  id text NOT NULL,
  created_at timestamptz NOT NULL,
  status text NOT NULL,
  kind text NOT NULL,
  service text NOT NULL,
  namespace text NOT NULL,
  incident_id text,
  requested_by text NOT NULL,
  severity text NOT NULL,
  helped boolean,
  outcome text,
  record jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
);
CREATE INDEX actions_service ON actions (service, created_at DESC);

-- Every approval and rejection of a remediation request.
CREATE TABLE approvals (
  action_id text NOT NULL,
  action_created_at timestamptz NOT NULL,
  decided_by text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (action_id, action_created_at, decided_by, decision)
);

-- The audit trail; stream_id is the Redis stream entry's id, so an entry copied twice is one row.
CREATE TABLE audit_entries (
  at timestamptz NOT NULL,
  stream_id text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  detail text NOT NULL,
  PRIMARY KEY (at, stream_id)
);

-- Each hourly capacity forecast of a service's signal.
CREATE TABLE forecasts (
  service text NOT NULL,
  signal text NOT NULL,
  generated_at timestamptz NOT NULL,
  horizon_hours integer NOT NULL,
  model text NOT NULL,
  current_value double precision NOT NULL,
  peak double precision NOT NULL,
  capacity double precision,
  current_replicas integer,
  recommended_replicas integer,
  digest jsonb NOT NULL,
  PRIMARY KEY (service, signal, generated_at)
);
