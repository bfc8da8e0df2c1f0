import { describe, expect, it } from 'vitest';
import { REDACTED, redactedExcerpt, redactSecrets, redactSecretsDeep } from '../src/redact-secrets.js';

/** Fake secrets, shaped like the real ones. */
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9q3LmT0kQ';
const AZURE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('redactSecrets: the kinds the review found leaking, with the text around them kept', () => {
  it.each([
    ['a bare AWS secret key next to its key id', `credentials AKIAQ3EGTRD7XMPLE2NB / ${AWS_SECRET} region eu-west-1`, `credentials ${REDACTED} / ${REDACTED} region eu-west-1`],
    ['a Slack webhook URL', 'POST https://hooks.slack.com/services/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 failed', `POST https://hooks.slack.com/services/${REDACTED} failed`],
    ['DB_PASS=', 'db-migrate: DB_PASS=Kq8#vLp2Rz start', `db-migrate: DB_PASS=${REDACTED} start`],
    ['--password x', 'psql-wrapper --password Zp4kWq9LmN2x --host db', `psql-wrapper --password ${REDACTED} --host db`],
    ['--password=x', 'rabbitmqctl add_user svc --password=Zp4kWq9LmN2x', `rabbitmqctl add_user svc --password=${REDACTED}`],
    ['mysql -pXXX', 'mysqldump -u backup -pZp4kWq9LmN2x orders', `mysqldump -u backup -p${REDACTED} orders`],
    ['a Cookie header', 'Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark', `Cookie: session=${REDACTED}; theme=${REDACTED}`],
    ['a Set-Cookie header, its attributes kept', 'Set-Cookie: JSESSIONID=8F3A9C2B1D4E5F60; Path=/; HttpOnly', `Set-Cookie: JSESSIONID=${REDACTED}; Path=/; HttpOnly`],
    ['a session id', 'invalid sessionid=3b1f0c9a7e5d4b2a8c6e', `invalid sessionid=${REDACTED}`],
    ['a Kubernetes tls.key', '  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJn', `  tls.key: ${REDACTED}`],
    ['a Kubernetes .dockerconfigjson', '.dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5zaG9wIjp7fX19', `.dockerconfigjson: ${REDACTED}`],
    ['a Stripe secret key', 'charge failed for sk_live_51HxYzAbCdEfGhIjKlMnOpQr', `charge failed for ${REDACTED}`],
    ['a Google API key', 'geocode?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY denied', `geocode?key=${REDACTED} denied`],
    ['a GitLab token', 'token glpat-xYz12AbCdEfGhIjKlMnO expired', `token ${REDACTED} expired`],
    ['an Azure storage key', `AccountName=shop;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`, `AccountName=shop;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`],
    ['an npm token', 'used npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 to publish', `used ${REDACTED} to publish`],
    ['a SendGrid key', 'mailer: 401 for 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', `mailer: 401 for ${REDACTED}`],
    ['a Twilio API key', 'rejected SK2b5c8f1e4a7d0c3b6e9f2a5d8c1b4e7f', `rejected ${REDACTED}`],
    ['curl -u', 'curl -sf -u monitor:Zp4kWq9LmN2x http://orders/health', `curl -sf -u monitor:${REDACTED} http://orders/health`],
  ])('%s', (_kind, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('redacts PGP and PEM private key blocks, also inside JSON with escaped newlines (a GCP service account)', () => {
    const pgp = '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQVYBGXq2z8BDADb\n=Ab3x\n-----END PGP PRIVATE KEY BLOCK-----';
    expect(redactSecrets(`key:\n${pgp}\ndone`)).toBe(`key:\n-----BEGIN PGP PRIVATE KEY BLOCK-----${REDACTED}-----END PGP PRIVATE KEY BLOCK-----\ndone`);
    const serviceAccount = JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n', client_email: 'x@shop.iam.gserviceaccount.com' });
    const redacted = redactSecrets(serviceAccount);
    expect(redacted).not.toContain('MIIEvgIBADANBgkqhkiG9w0B');
    expect(JSON.parse(redacted)).toMatchObject({ type: 'service_account', client_email: 'x@shop.iam.gserviceaccount.com' });
  });

  it('redacts a random-looking token of unknown shape a few characters after a secret-like word, and not elsewhere', () => {
    expect(redactSecrets('client secret is q7Wz2LkP9vXa!3RtY8mN (rotated)')).toBe(`client secret is ${REDACTED} (rotated)`);
    expect(redactSecrets('shared key = Hq3Zr8Lm2Wx9Pv4Ks7Tn')).toBe(`shared key = ${REDACTED}`);
    expect(redactSecrets('build q7Wz2LkP9vXa!3RtY8mN finished')).toBe('build q7Wz2LkP9vXa!3RtY8mN finished');
  });

  it('leaves ids, hashes, names, durations and queries as they are', () => {
    const benign = [
      'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
      'deployed commit 3f2a9c1d8e7b6a5f4c3d2e1f0a9b8c7d6e5f4a3b to payment',
      'pod payment-7d9f8b6c5-x2x9k restarted (OOMKilled), node ip-10-0-3-17.eu-west-1.compute.internal',
      'request 123e4567-e89b-12d3-a456-426614174000 took 1.2s; silence for 7d; window 15m',
      'sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) by (service) / sum(rate(http_requests_total[5m]))',
      'java.lang.NullPointerException: token is null at com.shop.ChargeService.charge(ChargeService.java:88)',
      'image registry.shop.example/payment@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'secretName: payment-db-credentials, token_count=512, max_tokens=4096, auth=true',
      'GET https://grafana.shop.example/d/abc123/payment?orgId=1&from=now-1h 200',
      'Why is order-service slow since 14:41 UTC? p95 latency 2.3s vs 180ms usual',
    ];
    for (const line of benign) expect(redactSecrets(line)).toBe(line);
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    const once = redactSecrets(`DB_PASS=Kq8#vLp2Rz and ${AWS_SECRET} for aws, Cookie: a=b`);
    expect(redactSecrets(once)).toBe(once);
  });
});

describe('redactedExcerpt: redaction before the cut', () => {
  it('leaves no fragment of a secret that the cut would have split', () => {
    const line = `${'x'.repeat(130)} aws secret ${AWS_SECRET} more`;
    // Cut first, 20 characters of the key would be left and no pattern would know them.
    expect(line.slice(0, 159)).toContain(AWS_SECRET.slice(0, 6));
    const excerpt = redactedExcerpt(line, 160);
    expect(excerpt.length).toBeLessThanOrEqual(160);
    expect(excerpt).not.toContain(AWS_SECRET.slice(0, 6));
    expect(excerpt).toContain(REDACTED);
  });

  it('keeps short text whole and ends a long one with an ellipsis', () => {
    expect(redactedExcerpt('all fine', 160)).toBe('all fine');
    expect(redactedExcerpt('a'.repeat(200), 160)).toBe(`${'a'.repeat(159)}…`);
  });
});

describe('redactSecretsDeep: any value, at any depth', () => {
  it('redacts strings deeper than any depth limit, fields named like secrets, errors with their causes, and survives cycles', () => {
    const deep: Record<string, unknown> = { level: 0 };
    let at = deep;
    for (let level = 1; level <= 12; level += 1) at = at.next = { level } as Record<string, unknown>;
    at.text = 'DATABASE_URL=postgres://orders:pa55w0rdXyz@db:5432/orders';
    const error = new Error('login failed for xoxb-1234-5678-abcdefghijkl', { cause: new Error('Authorization: Bearer abcdefghijklmnop1234') });
    const value: Record<string, unknown> = { deep, config: { db: { password: 'hunter2', session_id: 'abc123', secretName: 'payment-db' } }, error };
    value.self = value;
    const redacted = JSON.stringify(redactSecretsDeep(value));
    for (const secret of ['pa55w0rdXyz', 'hunter2', 'abc123', 'xoxb-1234', 'abcdefghijklmnop1234']) expect(redacted).not.toContain(secret);
    expect(redacted).toContain('"secretName":"payment-db"');
    expect(redacted).toContain('[Circular]');
    expect(redacted).toContain('"type":"Error"');
    expect(value.config).toEqual({ db: { password: 'hunter2', session_id: 'abc123', secretName: 'payment-db' } });
  });

  it('does not take a value shared by two branches for a cycle', () => {
    const shared = { note: 'same' };
    expect(redactSecretsDeep({ left: shared, right: shared })).toEqual({ left: { note: 'same' }, right: { note: 'same' } });
  });
});

describe('redactSecrets on text written to hang it', () => {
  // Alert annotations and log lines are written by whoever can reach the webhook or a pod: a
  // pattern that backtracks would stop the bot for minutes (a dotted word of 25 KB took 205 s).
  it.each([
    ['a long dotted word of secret-like names', 'secret.token.key.'],
    ['a long snake_case word after a secret-like word', 'password a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s_t_u_v_w_x_y_z1! '],
    ['repeated keys without values', 'token: '],
    ['repeated URL schemes', 'postgres://a:b'],
  ])('answers at once for 100 KB of %s', (_kind, unit) => {
    const text = unit.repeat(Math.ceil(100_000 / unit.length));
    const startedAt = performance.now();
    redactSecrets(text);
    // Linear work is tens of milliseconds here; a backtracking pattern takes minutes.
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  });
});
