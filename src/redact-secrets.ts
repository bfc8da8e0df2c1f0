/**
 * Secrets never leave for the LLM provider, come back in an answer, or reach the log: a pure
 * string function shared by the agent's guardrails and the logger.
 */

export const REDACTED = '[REDACTED]';

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// Key names whose values are secrets: db_password, AWS_SECRET_ACCESS_KEY, x-api-key, auth_token, pwd…
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*?(?:passw(?:or)?d|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|token|credential)s?[A-Za-z0-9_.-]*`;
// Keys that name a secret's metadata rather than hold it (secretName, token_count, prompt_tokens…).
const NOT_A_SECRET_KEY = /(?:name|ref|id|count|length|type|ttl|expiry|expires|expires_at|tokens)$/i;

const RULES: Rule[] = [
  // PEM private keys, also when a bounded output cut the block before its END line.
  {
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (_match, kind = '') => `-----BEGIN ${kind}PRIVATE KEY-----${REDACTED}-----END ${kind}PRIVATE KEY-----`,
  },
  // Credentials inside URLs: postgres://user:pass@host, mongodb+srv://…, redis://:pass@, amqp://…
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s@/?#]+)@/gi,
    replace: (_match, scheme = '', user = '') => `${scheme}${user}:${REDACTED}@`,
  },
  // Authorization headers, in any casing and quoting: "Authorization: Bearer …", authorization="Basic …".
  {
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(bearer|basic|token|digest|apikey)\s+[^\s"',;]+/gi,
    replace: (_match, header = '', scheme = '') => `${header}${scheme} ${REDACTED}`,
  },
  // A bare "Bearer <token>" (curl commands, stack traces): only token-shaped words, so prose stays.
  {
    pattern: /\b(bearer)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/gi,
    replace: (_match, scheme = '') => `${scheme} ${REDACTED}`,
  },
  // Well-known token shapes: Slack, GitHub, AWS access key ids, OpenAI-style keys, JWTs.
  { pattern: /\bxox[a-z]-[A-Za-z0-9-]{8,}/g, replace: () => REDACTED },
  { pattern: /\bxapp-\d+-[A-Za-z0-9-]{8,}/g, replace: () => REDACTED },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, replace: () => REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, replace: () => REDACTED },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: () => REDACTED },
  { pattern: /\bsk-[A-Za-z0-9_-]{20,}/g, replace: () => REDACTED },
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, replace: () => REDACTED },
  // key=value, key: value, "key": "value", key='value' for secret-looking keys; quotes kept.
  {
    pattern: new RegExp(String.raw`\b(${SECRET_KEY})(["']?\s*[:=]\s*)(\[REDACTED\]|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;&"'}\])]+)`, 'gi'),
    replace: (match, key = '', separator = '', value = '') => {
      if (NOT_A_SECRET_KEY.test(key) || value.includes(REDACTED) || value === '' || value === '""' || value === "''") return match;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
      return `${key}${separator}${quote}${REDACTED}${quote}`;
    },
  },
];

/** The text with every secret we recognise replaced by [REDACTED], the structure around it kept. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      // The capture groups come first, then the offset (a number) and the whole input.
      const groups = rest.slice(0, rest.findIndex((value) => typeof value === 'number')).map((value) => (typeof value === 'string' ? value : ''));
      return rule.replace(match, ...groups);
    });
  }
  return result;
}
