import { context, escapeMrkdwn, fallbackText, header, section, type BlockMessage } from './limits.js';

export interface SubcommandHelp {
  name: string;
  /** The arguments after the subcommand: `<required>`, `[optional]`. */
  arguments: string;
  description: string;
  example: string;
}

/**
 * The `/aiops` subcommands in the order a newcomer needs them.
 */
export const AIOPS_SUBCOMMANDS: readonly SubcommandHelp[] = [
  { name: 'ask', arguments: '<question>', description: 'Ask in plain language: "why is order-service slow?" is investigated and answered with the cause and evidence; "who owns payment?", "what changed today?", "how many replicas will cart need tomorrow?", "what is payment logging?", "what\'s firing?" and "how many incidents last week?" get what the catalogue, the change record or the command of that kind shows.', example: '/aiops ask why is order-service slow?' },
  { name: 'status', arguments: '[service]', description: 'Show every service (healthy or in anomaly), or one service in detail.', example: '/aiops status payment' },
  { name: 'incidents', arguments: '', description: 'List the open incidents, newest first.', example: '/aiops incidents' },
  { name: 'forecast', arguments: '<service> [signal] [horizon]', description: 'Forecast a signal (cpu by default; memory, request_rate, latency_p95, error_rate) up to 7 days ahead: a chart in the channel, the peak, the replicas it needs and when a limit is crossed (horizon defaults to 24h).', example: '/aiops forecast order-service 24h' },
  { name: 'capacity', arguments: '', description: 'List the services whose week-ahead forecast (computed every hour) reaches a limit, soonest first, with the replicas they need.', example: '/aiops capacity' },
  { name: 'trends', arguments: '[service]', description: 'List the largest sustained changes in latency, errors, restarts, CPU, memory and traffic: week over week (day over day on a short history) and since the last deploy, at the same time of day so a daily peak is no trend.', example: '/aiops trends cart' },
  { name: 'changes', arguments: '[service] [window]', description: "List what changed, newest first: the cluster's deploys, rollbacks, restarts and scaling and the changes CI/CD reported (window defaults to 6h, at most 7d).", example: '/aiops changes payment 24h' },
  { name: 'logs', arguments: '<service> [window]', description: 'Show what a service is logging: its top log templates, how they compare with the hour before, one example each (window defaults to 15m).', example: '/aiops logs order-service 15m' },
  { name: 'silence', arguments: '<service|incident> <duration> <reason>', description: "Hold alerts for a service or one incident for a while, announced in its channel (its team or the responders; team members up to the catalogue's maximum).", example: '/aiops silence payment 2h deploy of v2.3 in progress' },
  { name: 'unsilence', arguments: '<service|incident>', description: 'End a silence early; held alerts still firing are raised at once.', example: '/aiops unsilence payment' },
  { name: 'history', arguments: '[service] [30d]', description: 'Incidents of the last days from the PostgreSQL history (DATABASE_URL): how many, how fast they were resolved (mean time to resolve), per service, which remediation actions helped, and the latest few.', example: '/aiops history payment 7d' },
  { name: 'audit', arguments: '[service]', description: 'Show the last 15 audited actions (silences, acknowledgements, resolutions, remediation proposals, approvals, refusals, runs and verifications) and who took them, for every service or one.', example: '/aiops audit payment' },
  { name: 'healing', arguments: '[on|off|status]', description: 'The kill switch of remediation: `off` stops every proposal and run until `on` (responders only); `status` says where it stands.', example: '/aiops healing off' },
  { name: 'help', arguments: '', description: 'Show this help.', example: '/aiops help' },
];

function usageOf(subcommand: SubcommandHelp): string {
  return `/aiops ${subcommand.name}${subcommand.arguments ? ` ${subcommand.arguments}` : ''}`;
}

/** Every subcommand with one line of description and an example. */
export function helpMessage(): BlockMessage {
  const blocks = [
    header('/aiops commands'),
    ...AIOPS_SUBCOMMANDS.map((subcommand) =>
      section(`\`${escapeMrkdwn(usageOf(subcommand))}\` — ${escapeMrkdwn(subcommand.description)}\n_Example:_ \`${escapeMrkdwn(subcommand.example)}\``),
    ),
    context(['You can also mention @aiops with a question in any channel it is in, or with any of these without `/aiops` (`@aiops status payment`): the answer comes in the thread, for everyone there to read.']),
  ];
  const lines = ['/aiops commands:', ...AIOPS_SUBCOMMANDS.map((subcommand) => `${escapeMrkdwn(usageOf(subcommand))} — ${escapeMrkdwn(subcommand.description)}`)];
  return { text: fallbackText(lines), blocks };
}

/**
 * A reply to a command that could not be understood: the problem in one line first (the caller
 * writes it, e.g. "Unknown subcommand `frobnicate`."), then the short usage.
 */
export function usageMessage(problem: string): BlockMessage {
  const escapedProblem = escapeMrkdwn(problem);
  const usage = AIOPS_SUBCOMMANDS.map((subcommand) => `\`${escapeMrkdwn(usageOf(subcommand))}\``).join('\n');
  return {
    text: fallbackText([escapedProblem, `Usage: ${AIOPS_SUBCOMMANDS.map((subcommand) => escapeMrkdwn(usageOf(subcommand))).join(' | ')}`]),
    blocks: [section(`${escapedProblem}\n*Usage:*\n${usage}`), context(['`/aiops help` shows what each one does, with examples.'])],
  };
}
