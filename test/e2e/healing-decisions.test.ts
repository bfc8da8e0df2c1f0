import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH } from '../../src/catalogue.js';
import type { RemediationRecord } from '../../src/state/remediation-requests.js';
import { blockActionPayload, sendBlockAction, sendEvent } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * Issue 15's acceptance, the decisions that must not run anything, end to end with no LLM: the
 * bad deploy of payment on the simulated shop, a fake Slack, and a catalogue whose policy asks two
 * approvers for everything (`approve-2`) and lets requests wait 10 simulated minutes (10 s here).
 * A rejected request never runs; the requester cannot approve their own; one approval, or the same
 * person twice, is not two; an expired request cannot be approved. The rollback never happens.
 */

const SIGNING_SECRET = 'healing-decisions-e2e-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let bot: InProcessBot;
let eventsUrl: string;
let directory: string;
let startedAt: number;

beforeAll(async () => {
  const catalogue = parseDocument(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8'));
  catalogue.setIn(['healing', 'policy'], [{ action: '*', decision: 'approve-2' }]);
  catalogue.setIn(['healing', 'approvers'], { '*': ['S0SHOPSRE', 'U0DAVE'] });
  catalogue.setIn(['healing', 'requestExpiry'], '10m');
  directory = mkdtempSync(join(tmpdir(), 'aiops-healing-decisions-'));
  const path = join(directory, 'catalogue.yml');
  writeFileSync(path, catalogue.toString());
  slack = await startFakeSlack();
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  startedAt = Date.now();
  bot = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    environment: { AIOPS_CONFIG: path, AIOPS_SCENARIO: 'bad-deploy', AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z' },
  });
}, 30_000);

afterAll(async () => {
  bot?.stop('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await slack?.close();
  rmSync(directory, { recursive: true, force: true });
  await redis.quit();
});

const buttonsOf = (message: SlackMessage) => JSON.stringify(message.blocks ?? []).match(/remediation_(approve|reject)/g) ?? [];
const current = (message: SlackMessage) => slack.messages(message.channel).find((candidate) => candidate.ts === message.ts)!;

async function record(id: string): Promise<RemediationRecord> {
  return JSON.parse((await redis.hget('aiops:healing:body', id))!) as RemediationRecord;
}

/** Clicks a button as `user`; returns what the clicker alone was told. */
async function click(user: string, actionId: string, message: SlackMessage, value: string): Promise<string> {
  const responseUrl = slack.responseUrl({ channel: message.channel, messageTs: message.ts });
  const path = new URL(responseUrl).pathname;
  const payload = blockActionPayload({ userId: user, actionId, value, channelId: message.channel, messageTs: message.ts, responseUrl, message: { type: 'message', ts: message.ts, thread_ts: message.threadTs, text: message.text, blocks: message.blocks } });
  expect((await sendBlockAction(eventsUrl, SIGNING_SECRET, payload)).status).toBe(200);
  const answers = () => slack.calls(RESPONSE_URL_CALL).filter((call) => call.path === path && call.body.response_type === 'ephemeral');
  await until(() => answers().length > 0, `the answer to ${user}'s ${actionId}`);
  return answers().map((call) => String(call.body.text)).join(' ');
}

function requestIn(channel: string, threadTs?: string): SlackMessage | undefined {
  return slack.messages(channel).find((message) => message.threadTs !== undefined && (threadTs === undefined || message.threadTs === threadTs) && /^R-\d+: roll payment back/.test(message.text));
}

describe('decisions that run nothing (issue 15), end to end without an LLM', () => {
  it('a rejected request never runs; approve-2 needs two people other than the requester; an expired one cannot be approved', async () => {
    // The incident's request, rejected.
    await until(() => requestIn('#shop-payments') !== undefined, 'the rollback request in the incident thread', 90_000);
    const incidentRequest = requestIn('#shop-payments')!;
    const first = /^R-\d+/.exec(incidentRequest.text)![0];
    expect(JSON.stringify(incidentRequest.blocks)).toContain('needs two different approvers');
    expect(await click('U0ALICE', 'remediation_reject', incidentRequest, first)).toBe(`Rejected ${first}; it will not run.`);
    await until(() => buttonsOf(current(incidentRequest)).length === 0, 'the buttons gone');
    expect(JSON.stringify(current(incidentRequest).blocks)).toContain('*Rejected* by <@U0ALICE>');
    expect(await click('U0SRE', 'remediation_approve', incidentRequest, first)).toContain(`${first} is rejected already; nothing changed.`);

    // Asked in a channel: the engine's answer proposes the rollback; U0SRE asks for its approval.
    const ts = '1764001000.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, { type: 'app_mention', user: 'U0SRE', text: '<@U0AIOPSBOT> why is payment failing?', channel: 'C0ASK', ts, event_ts: ts }, { eventId: 'Ev0ASKPAY' });
    const answered = () => slack.thread('C0ASK', ts).find((message) => JSON.stringify(message.blocks).includes('proposal_request_approval'));
    await until(() => answered() !== undefined, 'the answer with the proposal', 30_000);
    const answer = answered()!;
    const proposal = /`(P-\d+)`/.exec(JSON.stringify(answer.blocks))![1]!;
    await click('U0SRE', 'proposal_request_approval', answer, proposal);
    await until(() => requestIn('C0ASK', ts) !== undefined, 'the request in the answer thread', 15_000);
    const request = requestIn('C0ASK', ts)!;
    const second = /^R-\d+/.exec(request.text)![0];
    expect(second).not.toBe(first);

    // The requester cannot approve; one approver, twice, is one approval.
    expect(await click('U0SRE', 'remediation_approve', request, second)).toContain('it needs two other approvers');
    expect(await click('U0ALICE', 'remediation_approve', request, second)).toContain('it needs one more approver');
    expect(await click('U0ALICE', 'remediation_approve', request, second)).toContain(`You approved ${second} already; nothing changed.`);
    expect(await record(second)).toMatchObject({ status: 'pending', approvals: [{ by: 'U0ALICE' }] });
    expect(JSON.stringify(current(request).blocks)).toContain('approved so far by <@U0ALICE>');

    // Past its expiry (10 simulated minutes), the second approver is too late.
    const expiresAt = (await record(second)).expiresAt;
    // The bot's clock started after `startedAt`, so this runs ahead of it by the start-up: 5 simulated minutes of margin cover that.
    await until(() => simulatedNow() > expiresAt + 5 * 60_000, 'the request past its expiry', 40_000);
    expect(await click('U0DAVE', 'remediation_approve', request, second)).toContain(`${second} expired; nothing ran.`);
    expect((await record(second)).status).toBe('expired');
    await until(() => buttonsOf(current(request)).length === 0, 'the buttons gone');

    // Nothing ran: no execution in the audit, and the rollback never happened.
    const audit = (await redis.xrevrange('aiops:audit', '+', '-', 'COUNT', 200)).map(([, fields]) => fields.join(' '));
    expect(audit.filter((entry) => entry.includes('"action":"healing-execute"'))).toEqual([]);
    expect(audit.some((entry) => entry.includes('"action":"healing-reject"'))).toBe(true);
    expect(slack.messages().filter((message) => / ran once/.test(message.text))).toEqual([]);
  }, 180_000);
});

/** At most the bot's simulated clock: AIOPS_SIM_START plus 60 times the real time since just before the bot started. */
function simulatedNow(): number {
  return Date.parse('2026-11-24T14:55:00Z') + 60 * (Date.now() - startedAt);
}
