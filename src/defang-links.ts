/**
 * Links in text the bot did not write (log lines, events, a model's words shaped by them) are
 * shown defanged, the way security tools show indicators: `hxxps://evil[.]example/login`. Slack
 * then makes no link of them and unfurls nothing, while a reader still sees what the text said.
 * Slack's own link syntax (`<url|label>`) is not handled here: escaping `<` and `>` (escapeMrkdwn)
 * already keeps it from rendering. A pure string function.
 */

// A scheme Slack links (http, https, ftp, mailto…) followed by what it would take as the address.
const SCHEMED = /\b([a-z][a-z0-9+.-]{1,15}):(\/\/)?([^\s<>"'`]+)/gi;
// A host written bare: labels ending in an alphabetic top-level label (evil.example, login.evil.co).
const BARE_HOST = /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})\b/gi;
/**
 * The top-level domains a bare host must end in to be defanged: every two-letter country code,
 * and the generic ones links are made of. Without this, class and method names in evidence
 * (java.lang.NullPointerException, CardToken.value) would come out as `java[.]lang`.
 */
const GENERIC_TOP_LEVEL_DOMAINS = new Set(
  'com net org edu gov mil int info biz name pro app dev page cloud online site website web xyz top club shop store live link click zip mov tech io ai example test invalid local localhost onion support help login security email network services systems digital finance bank pay money'.split(' '),
);
const LINKED_SCHEMES = new Set(['http', 'https', 'ftp', 'ftps', 'sftp', 'ws', 'wss', 'mailto', 'file', 'ssh', 'git', 'slack', 'tel', 'javascript', 'data']);

/**
 * The text with every link made inert: known schemes become `hxxp`-style (`https` → `hxxps`,
 * `mailto` → `mxxlto`) and the dots of every host-like word become `[.]`. Text without links
 * is returned unchanged.
 */
export function defangLinks(text: string): string {
  const schemed = text.replace(SCHEMED, (match: string, scheme: string, slashes: string | undefined, rest: string) => {
    if (!LINKED_SCHEMES.has(scheme.toLowerCase())) return match;
    return `${defangScheme(scheme)}[:]${slashes ?? ''}${rest.replace(/\./g, '[.]')}`;
  });
  return schemed.replace(BARE_HOST, (host: string, topLevel: string) => (isTopLevelDomain(topLevel) || /^www\./i.test(host) ? host.replace(/\./g, '[.]') : host));
}

function isTopLevelDomain(label: string): boolean {
  return label.length === 2 || GENERIC_TOP_LEVEL_DOMAINS.has(label.toLowerCase());
}

/** `http` → `hxxp`, `mailto` → `mxxlto`: the second and third letters crossed out, so no client links it. */
function defangScheme(scheme: string): string {
  if (scheme.length < 3) return `${scheme}x`;
  return `${scheme[0]}xx${scheme.slice(3)}`;
}
