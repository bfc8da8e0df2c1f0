/**
 * How fast the bot answers Slack: the bot started in-process exactly as `npm start` wires it
 * (`runCli(['start'])`: the simulated world, a Redis database of its own, the detection and
 * training workers running as in production), in HTTP mode against the fake Slack Web API, driven
 * by requests signed as Slack signs them.
 *
 *   npm run bench:slack [-- --requests 1000 --concurrency 25 --warmup 20 --redis URL (default: a private redis-server)]
 *
 * The mix: half `app_mention` events ("why is <service> slow?"), each in a channel of its own, so
 * the per-channel pacer (one message a second per channel, as Slack allows) does not serialise
 * them; half `/aiops` commands (status, incidents, help in turn) from distinct users in one ops
 * channel. A request holds one of `--concurrency` slots from sending it until both its ack and its
 * first visible reply are in (a closed loop: 25 people who each wait for their answer).
 *
 * Measured per request:
 *  - ack: the HTTP response time of the signed POST (Slack wants it within 3 s; target p99 < 100 ms);
 *  - first reply: from sending the request to the fake recording the bot's first reply for it, the
 *    thread `chat.postMessage` for a mention, the `chat.postEphemeral` for a command (target < 1 s);
 *  - final answer, for mentions, for information: to the last `chat.update` of the thread reply.
 *
 * Exits 1 when any request (warm-up included) was not answered 200, its reply did not arrive within
 * `--reply-timeout` milliseconds or was refused, a mention's investigation ended in the bot's
 * "Sorry, I could not finish", or the bot did not stop cleanly.
 *
 * Caveat, by design of an in-process run: the driver (signing, fetch) and the fake Web API share
 * the bot's one event loop, so they take part of its CPU; the event loop delay is printed for that
 * reason. The simulated cluster also computes its event history in-process where production asks
 * the Kubernetes API. Redis database `--redis` is flushed before and
 * after, so it must be one nothing else uses (database 0 is refused).
 */
import { freePort } from '../test/support/free-port.js';
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { runCli, type CliContext } from '../src/cli.js';
import { sendCommand, sendEvent, type SlackDelivery } from '../test/fakes/slack-signer.js';
import { EXAMPLE_USER_GROUPS, startFakeSlack, type SlackCall } from '../test/fakes/slack.js';
import { benchmarkRedis } from '../test/support/redis-server.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '20' },
    redis: { type: 'string' },
    scenario: { type: 'string', default: 'db-pool-exhaustion' },
    'sim-speed': { type: 'string', default: '60' },
    'reply-timeout': { type: 'string', default: '10000' },
    /** Seconds to wait for detection to record a first anomaly before sending anything; 0 skips. */
    'anomaly-timeout': { type: 'string', default: '120' },
  },
});
const requestCount = wholeNumber('requests', values.requests!, 2);
const concurrency = wholeNumber('concurrency', values.concurrency!, 1);
const warmupCount = wholeNumber('warmup', values.warmup!, 0);
const replyTimeoutMilliseconds = wholeNumber('reply-timeout', values['reply-timeout']!, 1);
const anomalyTimeoutMilliseconds = wholeNumber('anomaly-timeout', values['anomaly-timeout']!, 0) * 1000;
const redisServer = await benchmarkRedis(values.redis);
const redisUrl = redisServer.url;
if (!/\/([1-9]\d*)$/.test(new URL(redisUrl).pathname)) {
  throw new Error(`--redis ${redisUrl}: name an empty database of its own (e.g. redis://127.0.0.1:6379/10); what the run writes there is flushed after it`);
}

const SIGNING_SECRET = 'bench-signing-secret';
const SERVICES = ['order-service', 'checkout', 'payment', 'frontend', 'cart', 'catalogue', 'shipping', 'user', 'database', 'cache'];
const SUBCOMMANDS = ['status', 'incidents', 'help'];
const OPS_CHANNEL = 'C0BENCHOPS';
/** The histogram records timer intervals: an idle loop reads this much, so it is subtracted. */
const LOOP_DELAY_RESOLUTION_MILLISECONDS = 5;

type Kind = 'mention' | 'command';
interface Outcome {
  kind: Kind;
  /** `mention`, or the /aiops subcommand. */
  variant: string;
  label: string;
  ackMilliseconds: number;
  status: number;
  /** Undefined when the reply never arrived. */
  firstReplyMilliseconds?: number;
  /** Mentions: the channel and the reply's ts, to find its later edits. */
  channel?: string;
  replyTs?: string;
  sentAt: number;
  problem?: string;
}

class Discard extends Writable {
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}

const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
// Emptied after the run, so only a database that holds nothing now: never someone's data.
const keysBefore = await redis.dbsize();
if (keysBefore > 0) {
  await redis.quit();
  await redisServer.stop();
  throw new Error(`--redis ${redisUrl}: expected an empty database, found ${keysBefore} keys; name another database, or leave --redis out for a private redis-server`);
}
// The askers are on call: members of the example catalogue's responders group, who may see
// everything, so each mention is investigated as before answers were scoped to who asks.
const ASKERS = ['U0BENCHASK', ...Array.from({ length: warmupCount + requestCount }, (_, index) => `U0BENCH${String(index).padStart(6, '0')}`)];
const slack = await startFakeSlack({ userGroups: { ...EXAMPLE_USER_GROUPS, S0SHOPSRE: [...EXAMPLE_USER_GROUPS.S0SHOPSRE!, ...ASKERS] } });
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const eventsUrl = `${baseUrl}/slack/events`;

let stop: (signal: string) => void = () => {};
const stopped = new Promise<string>((resolve) => {
  stop = resolve;
});
const context: CliContext = {
  stdout: new Discard(),
  stderr: process.stderr,
  now: () => Date.now(),
  stdoutIsTerminal: false,
  stopSignal: () => stopped,
  environment: {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    REDIS_URL: redisUrl,
    AIOPS_SCENARIO: values.scenario,
    AIOPS_SIM_SPEED: values['sim-speed'],
    LOG_LEVEL: 'fatal',
  },
};
// Requests awaiting their first reply, by replyKey. The fake offers every call it records to each
// waiter's predicate; this one never matches, it only hands replies to the requests awaiting them
// (one map lookup a call, where a waitFor per request would scan every call recorded so far).
const awaitedReplies = new Map<string, (call: SlackCall) => void>();
slack
  .waitFor((call) => {
    const key = replyKey(call);
    const deliver = key === undefined ? undefined : awaitedReplies.get(key);
    if (key !== undefined && deliver) {
      awaitedReplies.delete(key);
      deliver(call);
    }
    return false;
  }, 2 ** 31 - 1)
  .catch(() => undefined);
const bootStarted = Date.now();
const exited = runCli(['start'], context);

let exitCode = 0;
try {
  await until(async () => (await fetch(`${baseUrl}/healthz`).then((response) => response.ok, () => false)) || undefined, 30_000, 'the bot to listen');
  let anomalyAfterSeconds: number | undefined;
  if (anomalyTimeoutMilliseconds > 0) {
    await until(async () => ((await redis.zcard('aiops:anomalies:index')) > 0 ? true : undefined), anomalyTimeoutMilliseconds, 'a first anomaly');
    anomalyAfterSeconds = (Date.now() - bootStarted) / 1000;
  }

  const warmup = await drive(0, warmupCount);
  // The bot, the fake Web API and this driver share one event loop: how late it runs is the floor of every figure.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MILLISECONDS });
  loopDelay.enable();
  const measuredStartedAt = Date.now();
  const measuredStarted = performance.now();
  const measured = await drive(warmupCount, requestCount);
  const measuredSeconds = (performance.now() - measuredStarted) / 1000;
  loopDelay.disable();
  const measuredEnded = Date.now();
  // Every mention's investigation goes on after its first reply (chat.update edits); let them finish.
  const lastEditAt = await settle();
  const settleSeconds = Math.max(0, lastEditAt - measuredEnded) / 1000;

  finalAnswerMilliseconds(warmup);
  const finals = finalAnswerMilliseconds(measured);
  const failures = [...warmup, ...measured].filter((outcome) => outcome.problem !== undefined);
  const mentions = measured.filter((outcome) => outcome.kind === 'mention');
  const commands = measured.filter((outcome) => outcome.kind === 'command');
  const acks = (outcomes: Outcome[]) => outcomes.map((outcome) => outcome.ackMilliseconds);
  const replies = (outcomes: Outcome[]) => outcomes.flatMap((outcome) => (outcome.firstReplyMilliseconds === undefined ? [] : [outcome.firstReplyMilliseconds]));
  const webApiCalls = new Map<string, number>();
  for (const call of slack.calls()) {
    if (call.at >= measuredStartedAt) webApiCalls.set(call.method, (webApiCalls.get(call.method) ?? 0) + 1);
  }
  const cpu = cpus();
  const argumentsGiven = process.argv.slice(2).join(' ');
  const lines = [
    '| run | |',
    '|---|---|',
    `| command | \`npm run bench:slack${argumentsGiven ? ` -- ${argumentsGiven}` : ''}\` |`,
    `| date | ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC |`,
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB |`,
    `| Node | ${process.version} |`,
    `| bot | in-process \`aiops start\`, HTTP receiver, scenario ${values.scenario} at sim speed ${values['sim-speed']}, detection + training workers running, LOG_LEVEL=fatal${anomalyAfterSeconds === undefined ? '' : `, first anomaly ${anomalyAfterSeconds.toFixed(0)} s after start`} |`,
    `| requests | ${measured.length} measured (${mentions.length} app_mention, each in its own channel; ${commands.length} /aiops status/incidents/help) after ${warmup.length} warm-up, ${concurrency} in flight |`,
    `| throughput | ${(measured.length / measuredSeconds).toFixed(1)} requests/s (${measuredSeconds.toFixed(1)} s); last investigation edit ${settleSeconds.toFixed(1)} s after the last request's reply |`,
    `| Web API calls from the measured requests on | ${[...webApiCalls].sort((a, b) => b[1] - a[1]).map(([method, count]) => `${method} ${count}`).join(', ')} |`,
    `| event loop delay while measured | p50 ${lateness(loopDelay.percentile(50))} ms, p99 ${lateness(loopDelay.percentile(99))} ms, max ${lateness(loopDelay.max)} ms (the bot, the fake Web API and this driver share the loop) |`,
    `| failures | ${failures.length} (non-200, no reply within ${replyTimeoutMilliseconds} ms, a reply the Web API refused, or an investigation that ended in an error) |`,
    '',
    '| measure | n | p50 (ms) | p99 (ms) | max (ms) | target |',
    '|---|---:|---:|---:|---:|---|',
    row('ack, all', acks(measured), 'p99 < 100 ms'),
    row('ack, app_mention', acks(mentions)),
    row('ack, /aiops', acks(commands)),
    row('first reply, all', replies(measured), 'p99 < 1,000 ms'),
    row('first reply, app_mention (thread chat.postMessage)', replies(mentions)),
    row('first reply, /aiops (chat.postEphemeral)', replies(commands)),
    ...SUBCOMMANDS.map((subcommand) => row(`first reply, /aiops ${subcommand}`, replies(commands.filter((outcome) => outcome.variant === subcommand)))),
    row('final answer, app_mention (last chat.update; not a target)', finals),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const failure of failures.slice(0, 10)) process.stderr.write(`failed: ${failure.label}: ${failure.problem}\n`);
  if (failures.length > 0) exitCode = 1;
} catch (error) {
  process.stderr.write(`bench:slack: ${(error as Error).stack ?? String(error)}\n`);
  exitCode = 1;
} finally {
  stop('SIGTERM');
  const botExit = await exited;
  if (botExit !== 0) {
    process.stderr.write(`bench:slack: the bot exited with ${botExit}\n`);
    exitCode = 1;
  }
  await slack.close();
  await redis.flushdb();
  await redis.quit();
  await redisServer.stop();
}
process.exit(exitCode);

/** Sends requests [from, from + count) with at most `concurrency` in flight; every outcome, in index order. */
async function drive(from: number, count: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const offset = next;
      next += 1;
      outcomes[offset] = await one(from + offset);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return outcomes;
}

/** Even indexes are mentions, odd ones commands. */
async function one(index: number): Promise<Outcome> {
  const tag = String(index).padStart(6, '0');
  if (index % 2 === 0) {
    const channel = `C0BENCH${tag}`;
    const ts = `${Math.floor(Date.now() / 1000)}.${tag}`;
    const service = SERVICES[(index / 2) % SERVICES.length]!;
    const label = `mention #${index} "why is ${service} slow?" in ${channel}`;
    const event = { type: 'app_mention', user: 'U0BENCHASK', text: `<@U0AIOPSBOT> why is ${service} slow?`, channel, ts, event_ts: ts };
    return measure('mention', 'mention', label, () => sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: `Ev0BENCH${tag}` }), `thread:${channel}/${ts}`, channel);
  }
  const subcommand = SUBCOMMANDS[Math.floor(index / 2) % SUBCOMMANDS.length]!;
  const user = `U0BENCH${tag}`;
  const label = `/aiops ${subcommand} #${index} from ${user}`;
  return measure('command', subcommand, label, () => sendCommand(eventsUrl, SIGNING_SECRET, { text: subcommand, userId: user, channelId: OPS_CHANNEL }), `ephemeral:${OPS_CHANNEL}/${user}`);
}

/** What a reply answers: a thread reply its mention (channel and thread), an ephemeral its command (channel and user). */
function replyKey(call: SlackCall): string | undefined {
  if (call.method === 'chat.postMessage' && typeof call.body.thread_ts === 'string') return `thread:${String(call.body.channel)}/${call.body.thread_ts}`;
  if (call.method === 'chat.postEphemeral') return `ephemeral:${String(call.body.channel)}/${String(call.body.user)}`;
  return undefined;
}

/** Resolves with the first reply under `key`, or undefined after the reply timeout. */
function awaitReply(key: string): Promise<SlackCall | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      awaitedReplies.delete(key);
      resolve(undefined);
    }, replyTimeoutMilliseconds);
    awaitedReplies.set(key, (call) => {
      clearTimeout(timer);
      resolve(call);
    });
  });
}

async function measure(kind: Kind, variant: string, label: string, send: () => Promise<SlackDelivery>, key: string, channel?: string): Promise<Outcome> {
  const sentAt = Date.now();
  // Listen before sending: the reply can be recorded before the ack is read.
  const reply = awaitReply(key);
  let delivery: SlackDelivery;
  try {
    delivery = await send();
  } catch (error) {
    await reply;
    return { kind, variant, label, sentAt, ackMilliseconds: Number.NaN, status: 0, problem: `request failed: ${(error as Error).message}` };
  }
  const call = await reply;
  const outcome: Outcome = { kind, variant, label, sentAt, ackMilliseconds: delivery.elapsedMilliseconds, status: delivery.status, ...(channel ? { channel } : {}) };
  if (call) {
    outcome.firstReplyMilliseconds = Math.max(0, call.at - sentAt);
    const response = call.response as { ts?: string } | undefined;
    if (response?.ts) outcome.replyTs = response.ts;
  }
  const refused = call && (call.response as { ok?: boolean; error?: string } | undefined)?.ok !== true ? String((call.response as { error?: string } | undefined)?.error ?? call.status) : undefined;
  if (delivery.status !== 200) outcome.problem = `HTTP ${delivery.status}`;
  else if (!call) outcome.problem = `no reply within ${replyTimeoutMilliseconds} ms`;
  else if (refused) outcome.problem = `the fake Web API refused the reply: ${refused}`;
  return outcome;
}

/** Waits until no chat call has arrived for 2 s (at most 120 s): the investigations' last edits are in. Returns when the last one arrived. */
async function settle(): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const last = slack.calls().filter((call) => call.method.startsWith('chat.')).at(-1)?.at ?? 0;
    if (Date.now() - last > 2_000 || Date.now() > deadline) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * For each measured mention, from sending it to the last chat.update of its thread reply; a
 * mention whose investigation ended in the bot's "Sorry, I could not finish" is marked failed.
 */
function finalAnswerMilliseconds(outcomes: Outcome[]): number[] {
  const lastUpdate = new Map<string, SlackCall>();
  for (const call of slack.calls('chat.update')) {
    if (call.status === 200) lastUpdate.set(`${String(call.body.channel)}/${String(call.body.ts)}`, call);
  }
  return outcomes.flatMap((outcome) => {
    const call = outcome.channel && outcome.replyTs ? lastUpdate.get(`${outcome.channel}/${outcome.replyTs}`) : undefined;
    if (call === undefined) return [];
    if (String(call.body.text).startsWith('Sorry, I could not finish')) outcome.problem ??= `investigation failed: ${String(call.body.text).slice(0, 200)}`;
    return [call.at - outcome.sentAt];
  });
}

/** A histogram value (ns) less the timer's own interval, in ms. */
function lateness(nanoseconds: number): string {
  return Math.max(0, nanoseconds / 1e6 - LOOP_DELAY_RESOLUTION_MILLISECONDS).toFixed(1);
}

function row(measure: string, samples: number[], target = ''): string {
  const sorted = samples.filter((sample) => Number.isFinite(sample)).sort((a, b) => a - b);
  const format = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
  return `| ${measure} | ${sorted.length} | ${format(percentile(sorted, 50))} | ${format(percentile(sorted, 99))} | ${format(sorted.at(-1))} | ${target} |`;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], rank: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1))];
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMilliseconds: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMilliseconds} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}


function wholeNumber(name: string, value: string, minimum: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < minimum) throw new Error(`--${name}: expected a whole number ≥ ${minimum}, got "${value}"`);
  return parsed;
}
