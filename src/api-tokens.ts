/** An API client: its name (the actor in the audit log), what it may do, and its bearer token. */
export interface ApiToken {
  name: string;
  /** `read`: GET only. `write`: also acknowledge, resolve and silence incidents, and ask questions. */
  scope: 'read' | 'write';
  token: string;
}

const ENTRY = /^([a-z0-9][a-z0-9-]*):(read|write):(\S{16,})$/;

/**
 * AIOPS_API_TOKENS: `name:scope:token` entries separated by commas, e.g.
 * `grafana:read:<token>,runbooks:write:<token>`. A bad entry is named by its position and name,
 * never by its token, since the message reaches logs.
 */
export function parseApiTokens(text: string, variable: string, fail: (variable: string, expected: string) => Error): ApiToken[] {
  const tokens: ApiToken[] = [];
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const match = ENTRY.exec(entry);
    if (!match) {
      const name = /^[^:]*/.exec(entry)?.[0] ?? '';
      throw fail(variable, `entry ${index + 1}${name ? ` (${name})` : ''}: expected name:read|write:token, the name lowercase letters, digits and dashes, the token at least 16 characters without spaces or commas`);
    }
    const [, name, scope, token] = match;
    if (tokens.some((earlier) => earlier.name === name)) throw fail(variable, `entry ${index + 1} (${name}): the name is used twice; expected one entry per client`);
    tokens.push({ name: name!, scope: scope as ApiToken['scope'], token: token! });
  });
  return tokens;
}
