/**
 * The shapes of secrets redactSecrets (src/redact-secrets.ts) recognises, one rule per kind, and the
 * entropy test for tokens of unknown shape that sit next to a secret-like word. Pure: text in, text out.
 */

export const REDACTED = '[REDACTED]';

export interface SecretRule {
  /** What kind of secret the rule finds, for tests and for whoever adds the next one. */
  kind: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

/**
 * Key names whose values are secrets: db_password, DB_PASS, AWS_SECRET_ACCESS_KEY, x-api-key,
 * auth_token, AccountKey, session_id, Cookie… The prefix is lazy so `db_pass` keeps its `db_`; both
 * sides are bounded, so a long dotted word is read in linear time, not cubic (a ReDoS otherwise).
 */
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]{0,64}?(?:passw(?:or)?d|pwd|pass(?:phrase)?(?![a-z])|secret|api[_-]?key|apikey|access[_-]?key|account[_-]?key|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|token|credential|auth(?![a-z])|sas[_-]?token|cookie|session)s?[A-Za-z0-9_.-]{0,64}`;
/** Keys that name a secret's metadata rather than hold it (secretName, token_count, prompt_tokens…). */
const NOT_A_SECRET_KEY = /(?:name|ref|id|count|length|type|ttl|expiry|expires|expires_at|tokens|timeout|seconds|ms|path|file|dir|enabled|required|url_template)$/i;
/** …except session identifiers, which are the secret (session_id, JSESSIONID, connect.sid). */
const SESSION_ID_KEY = /(?:sess(?:ion)?[_-]?id|\.sid)$/i;
/** Values that are settings, not secrets: `auth=true`, `password: null`. */
const PLAIN_VALUE = /^["']?(?:true|false|null|none|nil|undefined|required|optional|enabled|disabled|\*+|x+)["']?$/i;

const SECRET_KEY_ONLY = new RegExp(`^${SECRET_KEY}$`, 'i');
/** Header fields whose whole value is a credential (in text, the authorization rule keeps the scheme). */
const HEADER_KEY = /^(?:proxy-)?authorization$|^x-(?:api-key|auth-token|amz-security-token)$/i;

/** Whether a field of this name holds a secret (a structured log field, a JSON key). */
export function isSecretKey(key: string): boolean {
  if (HEADER_KEY.test(key)) return true;
  if (!SECRET_KEY_ONLY.test(key)) return false;
  return SESSION_ID_KEY.test(key) || !NOT_A_SECRET_KEY.test(key);
}

const redactAll = () => REDACTED;
const keepPrefix = (_match: string, prefix = '') => `${prefix}${REDACTED}`;

/** Base64 of `-----BEGIN ` (any PEM block) and of `{"auths":` (a Docker config), as Kubernetes stores Secret data. */
const BASE64_PEM = 'LS0tLS1CRUdJTi';
const BASE64_DOCKER_CONFIG = 'eyJhdXRocyI6';

export const SECRET_RULES: readonly SecretRule[] = [
  // PEM and PGP private keys, also when a bounded output cut the block before its END line.
  {
    kind: 'private key block',
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
    replace: (_match, kind = '', block = '') => `-----BEGIN ${kind}PRIVATE KEY${block}-----${REDACTED}-----END ${kind}PRIVATE KEY${block}-----`,
  },
  // Kubernetes Secret data is base64: a PEM key (tls.key) or a Docker config (.dockerconfigjson), whatever its key.
  { kind: 'base64 private key', pattern: new RegExp(`${BASE64_PEM}[A-Za-z0-9+/=]{8,}`, 'g'), replace: (match) => (decodesToPrivateKey(match) ? REDACTED : match) },
  { kind: 'base64 docker config', pattern: new RegExp(`${BASE64_DOCKER_CONFIG}[A-Za-z0-9+/=]{8,}`, 'g'), replace: redactAll },
  {
    kind: 'kubernetes secret data',
    pattern: /((?:^|[\s{,"'])(?:tls\.key|ca\.key|ssh-privatekey|\.dockerconfigjson|\.dockercfg|[\w-]+\.(?:key|pem|p12|pfx|jks|keystore))["']?\s*[:=]\s*["']?)([A-Za-z0-9+/=]{16,})/g,
    replace: keepPrefix,
  },
  // Slack incoming webhooks: the path is the credential.
  { kind: 'slack webhook', pattern: /(https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, replace: keepPrefix },
  // Credentials inside URLs: postgres://user:pass@host, mongodb+srv://…, redis://:pass@, amqp://…
  {
    kind: 'url credentials',
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:/@]{0,256}):([^\s@/?#]{1,256})@/gi,
    replace: (_match, scheme = '', user = '') => `${scheme}${user}:${REDACTED}@`,
  },
  // Authorization headers, in any casing and quoting: "Authorization: Bearer …", authorization="Basic …".
  {
    kind: 'authorization header',
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(bearer|basic|token|digest|apikey|sharedkey|sas)\s+[^\s"',;]+/gi,
    replace: (_match, header = '', scheme = '') => `${header}${scheme} ${REDACTED}`,
  },
  // A bare "Bearer <token>" (curl commands, stack traces): only token-shaped words, so prose stays.
  {
    kind: 'bearer token',
    pattern: /\b(bearer)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/gi,
    replace: (_match, scheme = '') => `${scheme} ${REDACTED}`,
  },
  // Cookies: every value in a Cookie or Set-Cookie header; the names and attributes stay.
  {
    kind: 'cookie',
    pattern: /\b((?:set-)?cookie["']?\s*[:=]\s*["']?)([^\r\n"'\\]+)/gi,
    replace: (_match, header = '', value = '') => `${header}${value.replace(/(^|;\s*)([^=;\s]+)=([^;]*)/g, (pair, separator: string, name: string) => (COOKIE_ATTRIBUTES.test(name) ? pair : `${separator}${name}=${REDACTED}`))}`,
  },
  // Command lines: --password x, --token=x, curl -u user:pass, mysql -pSECRET.
  { kind: 'command-line password', pattern: /(\s--?(?:password|passwd|pass|token|secret|api-key|apikey|auth-token|access-key|secret-key|client-secret)[ =]+)("[^"]*"|'[^']*'|[^\s"']+)/gi, replace: keepPrefix },
  { kind: 'curl user', pattern: /(\bcurl\b[^\n]*?\s(?:-u|--user)\s*["']?[^\s:"']+:)([^\s"']+)/g, replace: keepPrefix },
  { kind: 'mysql password', pattern: /(\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mysqlimport)\b[^\n]*?\s-p)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g, replace: keepPrefix },
  // Well-known token shapes.
  { kind: 'slack token', pattern: /\bxox[a-z]-[A-Za-z0-9-]{8,}/g, replace: redactAll },
  { kind: 'slack app token', pattern: /\bxapp-\d+-[A-Za-z0-9-]{8,}/g, replace: redactAll },
  { kind: 'github token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, replace: redactAll },
  { kind: 'github fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, replace: redactAll },
  { kind: 'gitlab token', pattern: /\bgl(?:pat|dt|rt|ptt|cbt|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}/g, replace: redactAll },
  { kind: 'aws access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: redactAll },
  { kind: 'stripe secret key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: redactAll },
  { kind: 'stripe webhook secret', pattern: /\bwhsec_[A-Za-z0-9]{24,}/g, replace: redactAll },
  { kind: 'openai key', pattern: /\bsk-[A-Za-z0-9_-]{20,}/g, replace: redactAll },
  { kind: 'google api key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, replace: redactAll },
  { kind: 'google oauth secret', pattern: /\bGOCSPX-[A-Za-z0-9_-]{20,}/g, replace: redactAll },
  { kind: 'google oauth token', pattern: /\bya29\.[0-9A-Za-z_-]{20,}/g, replace: redactAll },
  { kind: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: redactAll },
  { kind: 'sendgrid key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, replace: redactAll },
  { kind: 'twilio api key', pattern: /\bSK[0-9a-fA-F]{32}\b/g, replace: redactAll },
  { kind: 'vault token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g, replace: redactAll },
  { kind: 'digitalocean token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/g, replace: redactAll },
  { kind: 'shopify token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g, replace: redactAll },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, replace: redactAll },
  // Azure storage and service bus connection strings, and SAS signatures in URLs.
  { kind: 'azure key', pattern: /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*)([^;\s"']+)/gi, replace: keepPrefix },
  { kind: 'sas signature', pattern: /([?&;]sig=)([^&\s"']+)/g, replace: keepPrefix },
  // A bare AWS secret access key: 40 characters of base64 near something that says AWS.
  { kind: 'aws secret access key', pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, replace: (match) => (looksLikeAwsSecret(match) ? REDACTED : match) },
  // key=value, key: value, "key": "value", key='value' for secret-looking keys; quotes kept.
  {
    kind: 'secret-named value',
    pattern: new RegExp(String.raw`(?<![A-Za-z0-9_.-])(${SECRET_KEY})(["']?\s*[:=]\s*)(\[REDACTED\]|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;&"'}\])]+)`, 'gi'),
    replace: (match, key = '', separator = '', value = '') => {
      if (!isSecretKey(key) || value.includes('[REDACTED') || value === '' || value === '""' || value === "''" || PLAIN_VALUE.test(value)) return match;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
      return `${key}${separator}${quote}${REDACTED}${quote}`;
    },
  },
];

const COOKIE_ATTRIBUTES = /^(?:path|domain|expires|max-age|samesite|secure|httponly|priority|partitioned)$/i;

function decodesToPrivateKey(base64: string): boolean {
  return Buffer.from(base64, 'base64').toString('latin1').includes('PRIVATE KEY');
}

function looksLikeAwsSecret(token: string): boolean {
  // Commit SHAs and other hex ids are one case; a secret key mixes upper, lower and digits (or / and +).
  const classes = [/[A-Z]/, /[a-z]/, /[0-9/+]/].filter((pattern) => pattern.test(token)).length;
  return classes === 3 && shannonEntropy(token) >= 4;
}

/**
 * Words after which a random-looking token is a secret whatever its shape: "password is Xk9…",
 * "the token: 9f8Aq…", `secret => "…"`.
 */
const SECRET_WORD = /(?<![A-Za-z])(?:passw(?:or)?ds?|passwd|passphrase|pwd|pass|secrets?|tokens?|api[ _-]?keys?|apikey|keys?|credentials?|auth|cookie|session|private|aws)(?![A-Za-z])/gi;
/** How far after the word the token may start, characters. */
const SECRET_WORD_REACH = 24;
/** Shortest token judged by entropy: anything shorter is a word, a number or an id. */
const MINIMUM_RANDOM_TOKEN = 12;
/** Bits per character above which a token is random rather than a word (English words are below 3.3). */
const RANDOM_TOKEN_ENTROPY = 3.5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Class names, file paths and metric names: words joined by dots, slashes or underscores
 * (com.shop.v2.ChargeService, http_requests_total). An underscore inside a word belongs to the
 * word and is a joint only after digits, so every string splits one way: with the underscore in
 * both, a long snake_case word took exponential time to refuse.
 */
const CODE_PATH = /^[/.]?[A-Za-z_$][A-Za-z_$-]*\d*(?:(?:[./:]|(?<=\d)_)[A-Za-z_$][A-Za-z_$-]*\d*)*$/;
/** Pod, host and deployment names: lower-case words joined by dashes (payment-7d9f8b6c5-x2x9k). */
const RESOURCE_NAME = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+$/;

/**
 * Redacts random-looking tokens within a few characters after a secret-like word: the shapes no
 * pattern knows (an internal service's key, a generated password) still have a name before them.
 */
export function redactRandomTokensNearSecretWords(text: string): string {
  SECRET_WORD.lastIndex = 0;
  const spans: Array<[number, number]> = [];
  for (let found = SECRET_WORD.exec(text); found; found = SECRET_WORD.exec(text)) {
    const from = found.index + found[0].length;
    const window = text.slice(from, from + SECRET_WORD_REACH + 80);
    const token = /[^\s"',;:=()<>[\]{}`]+/g;
    for (let candidate = token.exec(window); candidate && candidate.index <= SECRET_WORD_REACH; candidate = token.exec(window)) {
      if (looksRandom(candidate[0])) spans.push([from + candidate.index, from + candidate.index + candidate[0].length]);
    }
  }
  if (spans.length === 0) return text;
  let result = '';
  let at = 0;
  for (const [start, end] of spans.sort((left, right) => left[0] - right[0])) {
    if (start < at) continue;
    result += text.slice(at, start) + REDACTED;
    at = end;
  }
  return result + text.slice(at);
}

function looksRandom(token: string): boolean {
  if (token.length < MINIMUM_RANDOM_TOKEN || token.includes(REDACTED) || token.includes('REDACTED')) return false;
  if (UUID.test(token) || RESOURCE_NAME.test(token) || /^\d+$/.test(token) || /^https?:/i.test(token)) return false;
  if (CODE_PATH.test(token)) return false;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(token)).length;
  // Generated secrets mix letters and digits; two classes (lower-case hex, say) only when long.
  const mixed = /[0-9]/.test(token) && /[A-Za-z]/.test(token) && (classes >= 3 || token.length >= 20);
  return mixed && shannonEntropy(token) >= RANDOM_TOKEN_ENTROPY;
}

/** Shannon entropy of the characters, bits per character. */
function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}
