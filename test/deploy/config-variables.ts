import { read } from './repository-files.js';

/** The variable names src/config.ts validates: the keys of its environment schema. */
export function configVariables(): Set<string> {
  const source = read('src/config.ts');
  const start = source.indexOf('const environmentSchema = z.object({');
  if (start < 0) throw new Error('src/config.ts: environmentSchema not found');
  const block = source.slice(start, source.indexOf('\n});', start));
  return new Set([...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? ''));
}

/** Settings that are credentials: never in a compose file, values.yaml's `env` or a ConfigMap. */
export const SECRET_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'OPENAI_API_KEY', 'ALERTMANAGER_WEBHOOK_TOKEN', 'CHANGES_WEBHOOK_TOKEN', 'DATABASE_URL', 'AIOPS_API_TOKENS'];
