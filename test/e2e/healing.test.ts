import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionPayload, sendBlockAction, sendCommand } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';
import type { RemediationRecord } from '../../src/state/remediation-requests.js';

/**
 * Issue 15's acceptance, end to end with no LLM: `aiops start` on the simulated shop playing the
 * bad deploy of payment, a fake Slack, the example catalogue (approvers: the SRE group, U0SRE and
 * U0ALICE; U0BOB is in web). The incident's thread gets the engine's rollback with Approve and
 * Reject; an unauthorised click is refused to the clicker alone and changes nothing; an authorised
 * click rolls back once, whatever else is clicked at the same time or replayed; the thread reports
 * the verification, and the incident resolves.
 */

const SIGNING_SECRET = 'healing-e2e-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let bot: InProcessBot;
let eventsUrl: string;

beforeAll(async () => {
  await deleteKeys(redis);
  slack = await startFakeSlack();
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  bot = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    // A simulated minute a second; the fault starts 5 simulated minutes in (see test/e2e/slack.test.ts).
    environment: { AIOPS_SCENARIO: 'bad-deploy', AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z' },
  });
}, 30_000);

afterAll(async () => {
  bot?.stop('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await slack?.close();
  await deleteKeys(redis);
  await redis.quit();
});

const text = (message: SlackMessage) => `${message.text} ${JSON.stringify(message.blocks ?? [])}`;
const buttonsOf = (message: SlackMessage) => JSON.stringify(message.blocks ?? []).match(/remediation_(approve|reject)/g) ?? [];

async function record(id: string): Promise<RemediationRecord> {
  return JSON.parse((await redis.hget('aiops:healing:body', id))!) as RemediationRecord;
}

function requestMessage(): SlackMessage | undefined {
  return slack.messages('#shop-payments').find((message) => message.threadTs !== undefined && /R-\d+/.test(message.text) && message.text.includes('roll payment back'));
}

/** Clicks a button on the request's message as `user`; returns the text the clicker alone was told. */
async function click(user: string, actionId: string, message: SlackMessage): Promise<string> {
  const responseUrl = slack.responseUrl({ channel: message.channel, messageTs: message.ts });
  const id = /R-\d+/.exec(message.text)![0];
  const path = new URL(responseUrl).pathname;
  const payload = blockActionPayload({ userId: user, actionId, value: id, channelId: message.channel, messageTs: message.ts, responseUrl, message: { type: 'message', ts: message.ts, thread_ts: message.threadTs, text: message.text, blocks: message.blocks } });
  expect((await sendBlockAction(eventsUrl, SIGNING_SECRET, payload)).status).toBe(200);
  const answers = () => slack.calls(RESPONSE_URL_CALL).filter((call) => call.path === path && call.body.response_type === 'ephemeral');
  await until(() => answers().length > 0, `the answer to ${user}'s ${actionId}`);
  return answers().map((call) => String(call.body.text)).join(' ');
}

describe('healing with a person in the loop (issue 15), end to end without an LLM', () => {
  it('proposes the rollback in the incident thread, refuses an outsider, rolls back once, verifies and resolves', async () => {
    await until(() => requestMessage() !== undefined, 'the rollback request in the incident thread', 90_000);
    const request = requestMessage()!;
    const root = slack.messages('#shop-payments').find((message) => message.ts === request.threadTs)!;
    expect(root.text).toMatch(/INC-\d+/);
    const id = /R-\d+/.exec(request.text)![0];
    // What will run, why, the dry run, the risk, who may approve and until when.
    expect(text(request)).toContain('roll payment back to registry.shop.example/payment:2.4.0');
    expect(text(request)).toMatch(/Dry run/);
    expect(text(request)).toMatch(/Risk:/);
    expect(text(request)).toContain('S0SHOPSRE');
    expect(text(request)).toMatch(/Waiting for approval\* until/);
    expect(buttonsOf(request)).toEqual(['remediation_approve', 'remediation_reject']);
    expect((await record(id)).status).toBe('pending');

    // U0BOB is no approver: refused to him alone, nothing changes.
    const refusal = await click('U0BOB', 'remediation_approve', request);
    expect(refusal).toContain('Only the approvers of namespace shop');
    expect((await record(id)).status).toBe('pending');
    expect(buttonsOf(requestMessage()!)).toHaveLength(2);

    // A double click by U0SRE and U0ALICE's click at the same moment: one approval runs it.
    const answers = await Promise.all([click('U0SRE', 'remediation_approve', request), click('U0SRE', 'remediation_approve', request), click('U0ALICE', 'remediation_approve', request)]);
    expect(answers.filter((answer) => answer.startsWith(`Approved ${id}`))).toHaveLength(1);
    await until(async () => (await record(id)).status === 'done', `${id} done`, 30_000);
    const ran = () => slack.thread('#shop-payments', request.threadTs!).filter((message) => message.text.includes(`${id} ran once`));
    await until(() => ran().length === 1, 'the thread saying it ran');
    expect(ran()[0]!.text).toContain('rolled back shop/payment');

    // A replayed payload, after the fact: nothing more runs.
    expect(await click('U0ALICE', 'remediation_approve', request)).toContain('is done already; nothing changed');
    const done = await record(id);
    expect(done.approvals).toHaveLength(1);
    expect(done.execution?.outcome).toMatch(/to revision \d+ \(2\.4/);

    // The message says who decided, and the buttons are gone.
    await until(() => buttonsOf(requestMessage()!).length === 0, 'the buttons gone');
    expect(text(requestMessage()!)).toMatch(/Approved|Done/);

    // Verification after 5 simulated minutes: the errors are back to usual, with the numbers.
    const verified = () => slack.thread('#shop-payments', request.threadTs!).find((message) => message.text.includes(`${id} helped`) || message.text.includes(`${id} did not help`));
    await until(() => verified() !== undefined, 'the verification in the thread', 30_000);
    expect(verified()!.text).toContain(`${id} helped`);
    expect(verified()!.text).toMatch(/error_rate .* when proposed → .* now \(usually/);

    // Only one rollback happened: the executed line and the audit say so once.
    await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'audit payment', userId: 'U0SRE', channelId: '#shop-payments', responseUrl: slack.responseUrl({ channel: '#shop-payments' }) });
    const auditReply = () => [...slack.calls('chat.postEphemeral'), ...slack.calls(RESPONSE_URL_CALL)].find((call) => String(call.body.text).includes('Recent actions on payment'));
    await until(() => auditReply() !== undefined, 'the audit of payment');
    const audit = auditReply()!;
    const auditText = String(audit.body.text);
    for (const action of ['healing-propose', 'healing-approve-refused', 'healing-approve', 'healing-execute', 'healing-verify']) expect(auditText).toContain(action);
    expect(auditText.match(/healing-execute/g)).toHaveLength(1);

    // The fault ended with the rollback: the incident resolves.
    await until(() => /resolved/i.test(text(slack.messages('#shop-payments').find((message) => message.ts === root.ts)!)), 'the incident resolved', 60_000);
  }, 240_000);
});
