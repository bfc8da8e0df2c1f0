import { serviceNamed, type Catalogue } from '../catalogue.js';
import { suggestServices } from '../service-suggestions.js';
import { formatDuration } from '../duration.js';
import { FORECAST_SIGNALS, MAXIMUM_FORECAST_HOURS, type ForecastSignal } from '../investigation/capacity-forecast.js';
import { DEFAULT_CHANGE_HOURS, MAXIMUM_CHANGE_HOURS } from '../investigation/changes-question.js';
import { MAXIMUM_HISTORY_DAYS } from '../investigation/history-question.js';
import { MAXIMUM_LOG_MINUTES } from '../investigation/logs-question.js';

export type AiopsCommand =
  | { kind: 'ask'; question: string }
  | { kind: 'status'; service?: string }
  | { kind: 'incidents' }
  | { kind: 'capacity' }
  | { kind: 'forecast'; service: string; signal: ForecastSignal; horizonHours: number }
  | { kind: 'silence'; target: string; durationMilliseconds: number; durationText: string; reason: string }
  | { kind: 'unsilence'; target: string }
  | { kind: 'logs'; service: string; minutes: number }
  | { kind: 'changes'; service?: string; hours: number }
  | { kind: 'audit'; service?: string }
  | { kind: 'history'; service?: string; days: number }
  | { kind: 'trends'; service?: string }
  | { kind: 'healing'; switch: 'on' | 'off' | 'status' }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string };

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MILLISECONDS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** What a silence may name besides a catalogued service: a detector's fingerprint or anomaly id, or an incident. */
const SILENCE_TARGET = /^([a-z0-9-]+:(anomaly|multivariate|predictive):|INC-\d+$)/;

/** Parses `/aiops` text. Pure: the catalogue says which services exist; nothing here throws. */
export function parseAiopsCommand(text: string, catalogue: Catalogue): AiopsCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [subcommand, ...rest] = words;
  // The catalogued name a typed name or alias means; own keys only: `constructor` or `__proto__` is no service.
  const named = (name: string) => serviceNamed(catalogue, name)?.name;
  const unknownService = (name: string) => {
    const close = suggestServices(catalogue, name);
    return `Unknown service \`${name}\`; ${close.length > 0 ? `did you mean ${close.map((service) => `\`${service}\``).join(' or ')}? ` : ''}catalogued services: ${Object.keys(catalogue.services).join(', ')}.`;
  };
  // The one optional service of `status`, `trends` and `audit`.
  const atMostOneService = (usage: string): { service: string | undefined } | { problem: string } => {
    if (rest.length > 1) return { problem: usage };
    if (rest[0] === undefined) return { service: undefined };
    const service = named(rest[0]);
    return service === undefined ? { problem: unknownService(rest[0]) } : { service };
  };
  switch (subcommand?.toLowerCase()) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'ask':
      return rest.length > 0 ? { kind: 'ask', question: rest.join(' ') } : { kind: 'invalid', problem: '`ask` needs a question, e.g. `/aiops ask why is order-service slow?`' };
    case 'status': {
      const parsed = atMostOneService('`status` takes at most one service.');
      return 'problem' in parsed ? { kind: 'invalid', problem: parsed.problem } : { kind: 'status', service: parsed.service };
    }
    case 'incidents':
      return rest.length === 0 ? { kind: 'incidents' } : { kind: 'invalid', problem: '`incidents` takes no arguments.' };
    case 'capacity':
      return rest.length === 0 ? { kind: 'capacity' } : { kind: 'invalid', problem: '`capacity` takes no arguments; `/aiops forecast <service>` draws one service.' };
    case 'trends': {
      const parsed = atMostOneService('`trends` takes at most one service, e.g. `/aiops trends cart`.');
      return 'problem' in parsed ? { kind: 'invalid', problem: parsed.problem } : { kind: 'trends', service: parsed.service };
    }
    case 'audit': {
      const parsed = atMostOneService('`audit` takes at most one service.');
      return 'problem' in parsed ? { kind: 'invalid', problem: parsed.problem } : { kind: 'audit', service: parsed.service };
    }
    case 'history': {
      const usage = '`history` takes an optional service and an optional window in days, e.g. `/aiops history payment 7d`.';
      let service: string | undefined;
      let days: number | undefined;
      for (const word of rest) {
        const window = /^(\d+)d$/.exec(word);
        const meant = named(word);
        if (window && days === undefined) {
          days = Number(window[1]);
          if (days < 1 || days > MAXIMUM_HISTORY_DAYS) return { kind: 'invalid', problem: `The history window must be from 1 to ${MAXIMUM_HISTORY_DAYS} days; \`${word}\` is not.` };
        } else if (service === undefined && meant !== undefined) service = meant;
        else return { kind: 'invalid', problem: meant !== undefined ? usage : `${unknownService(word)} ${usage}` };
      }
      return { kind: 'history', ...(service === undefined ? {} : { service }), days: days ?? 30 };
    }
    case 'healing': {
      const word = rest[0]?.toLowerCase() ?? 'status';
      if (rest.length > 1 || (word !== 'on' && word !== 'off' && word !== 'status')) return { kind: 'invalid', problem: '`healing` takes `on`, `off` or `status`, e.g. `/aiops healing off`.' };
      return { kind: 'healing', switch: word };
    }
    case 'forecast': {
      const [typed, ...options] = rest;
      const usage = '`forecast` needs a service, then optionally a signal and a horizon, e.g. `/aiops forecast order-service cpu 24h`.';
      if (typed === undefined) return { kind: 'invalid', problem: usage };
      const service = named(typed);
      if (service === undefined) return { kind: 'invalid', problem: unknownService(typed) };
      let signal: ForecastSignal | undefined;
      let horizonHours: number | undefined;
      for (const option of options) {
        const match = /^(\d+)(h|d)$/.exec(option);
        if (match && horizonHours === undefined) {
          horizonHours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
          if (horizonHours < 1 || horizonHours > MAXIMUM_FORECAST_HOURS) return { kind: 'invalid', problem: `The forecast horizon must be from 1 hour to ${MAXIMUM_FORECAST_HOURS / 24} days; \`${option}\` is not.` };
        } else if ((FORECAST_SIGNALS as readonly string[]).includes(option) && signal === undefined) {
          signal = option as ForecastSignal;
        } else {
          return { kind: 'invalid', problem: `\`${option}\` is neither a signal (${FORECAST_SIGNALS.join(', ')}) nor a horizon like \`6h\` or \`2d\`. ${usage}` };
        }
      }
      return { kind: 'forecast', service, signal: signal ?? 'cpu', horizonHours: horizonHours ?? 24 };
    }
    case 'changes': {
      const usage = '`changes` takes an optional service and an optional window, e.g. `/aiops changes payment 24h`.';
      let service: string | undefined;
      let hours: number | undefined;
      for (const word of rest) {
        const window = DURATION.exec(word);
        const meant = named(word);
        if (window && hours === undefined) {
          hours = (Number(window[1]) * UNIT_MILLISECONDS[window[2] as keyof typeof UNIT_MILLISECONDS]) / 3_600_000;
          if (hours <= 0 || hours > MAXIMUM_CHANGE_HOURS) return { kind: 'invalid', problem: `The window must be from 1 minute to ${MAXIMUM_CHANGE_HOURS / 24} days; \`${word}\` is not.` };
        } else if (service === undefined && meant !== undefined) service = meant;
        else return { kind: 'invalid', problem: meant !== undefined || window ? usage : `${unknownService(word)} ${usage}` };
      }
      return { kind: 'changes', ...(service === undefined ? {} : { service }), hours: hours ?? DEFAULT_CHANGE_HOURS };
    }
    case 'logs': {
      const [typed, window = '15m', ...extra] = rest;
      if (typed === undefined) return { kind: 'invalid', problem: '`logs` needs a service, e.g. `/aiops logs order-service 15m`.' };
      const service = named(typed);
      if (service === undefined) return { kind: 'invalid', problem: unknownService(typed) };
      const match = DURATION.exec(window);
      if (!match || extra.length > 0) return { kind: 'invalid', problem: `Window \`${window}\` is not like \`15m\`, \`2h\` or \`1d\`.` };
      const minutes = (Number(match[1]) * UNIT_MILLISECONDS[match[2] as keyof typeof UNIT_MILLISECONDS]) / 60_000;
      if (minutes < 1 || minutes > MAXIMUM_LOG_MINUTES) return { kind: 'invalid', problem: 'The log window must be from 1 minute to 1 day.' };
      return { kind: 'logs', service, minutes };
    }
    case 'silence': {
      const [target, duration, ...reasonWords] = rest;
      const usage = '`silence` needs a service (or incident id), a duration and a reason, e.g. `/aiops silence payment 2h deploy of v2.3 in progress`.';
      if (target === undefined || duration === undefined) return { kind: 'invalid', problem: usage };
      const match = DURATION.exec(duration);
      if (!match) return { kind: 'invalid', problem: `Duration \`${duration}\` is not like \`30m\`, \`2h\` or \`1d\`.` };
      const milliseconds = Number(match[1]) * UNIT_MILLISECONDS[match[2] as keyof typeof UNIT_MILLISECONDS];
      const longest = catalogue.access.maximumSilence.responder;
      if (milliseconds <= 0 || milliseconds > longest) return { kind: 'invalid', problem: `A silence lasts from 1 minute to ${formatDuration(longest)}.` };
      const service = named(target);
      if (service === undefined && !SILENCE_TARGET.test(target)) return { kind: 'invalid', problem: unknownService(target) };
      if (reasonWords.length === 0) return { kind: 'invalid', problem: `A silence needs a reason people will read in the channel, e.g. \`/aiops silence ${target} ${duration} deploy of v2.3 in progress\`.` };
      return { kind: 'silence', target: service ?? target, durationMilliseconds: milliseconds, durationText: duration, reason: reasonWords.join(' ') };
    }
    case 'unsilence': {
      const [target, ...extra] = rest;
      if (target === undefined || extra.length > 0) return { kind: 'invalid', problem: '`unsilence` needs one service (or incident id), e.g. `/aiops unsilence payment`.' };
      const service = named(target);
      if (service === undefined && !SILENCE_TARGET.test(target)) return { kind: 'invalid', problem: unknownService(target) };
      return { kind: 'unsilence', target: service ?? target };
    }
    default:
      return { kind: 'invalid', problem: `Unknown subcommand \`${subcommand}\`.` };
  }
}

/** Subcommands whose words never start a question: said to the bot with a mistake, they get the usage, not an investigation. */
const COMMAND_ONLY_WORDS = new Set(['forecast', 'trends', 'logs', 'silence', 'unsilence', 'history', 'audit', 'healing']);
/** Every subcommand a mention or DM may spell, `ask` aside (a question is asked by just asking it). */
const MESSAGE_COMMAND_WORDS = new Set([...COMMAND_ONLY_WORDS, 'status', 'incidents', 'capacity', 'help']);

/**
 * The `/aiops` command a mention or direct message spells ("@aiops status payment", "forecast
 * order-service 24h", "/aiops incidents"), or undefined for a question. Words that also start
 * questions read as one unless they make a whole command: "help" alone is help, "help me find why
 * checkout is slow" is a question, and so are "status of payment?" and "incidents today?".
 */
export function commandInMessage(text: string, catalogue: Catalogue): Exclude<AiopsCommand, { kind: 'ask' }> | undefined {
  const command = text.trim().replace(/^\/aiops\s+/i, '');
  const words = command.split(/\s+/).filter(Boolean);
  const first = words[0]?.toLowerCase();
  if (first === undefined || !MESSAGE_COMMAND_WORDS.has(first) || (first === 'help' && words.length > 1)) return undefined;
  const parsed = parseAiopsCommand(command, catalogue);
  if (parsed.kind === 'ask') return undefined;
  if (parsed.kind === 'invalid') return COMMAND_ONLY_WORDS.has(first) && !command.endsWith('?') ? parsed : undefined;
  return parsed;
}
