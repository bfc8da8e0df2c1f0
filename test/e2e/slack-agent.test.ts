import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '../../src/agent/tools/create-tools.js';
import { startFakeOpenAi, type FakeOpenAi, type ScriptStep } from '../fakes/openai-compatible.js';
import { scriptedInvestigator, toolResults } from '../fakes/scripted-investigator.js';
import { blockActionPayload, sendBlockAction, sendEvent } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { until } from '../support/until.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/**
 * The bot with an LLM configured (OPENAI_BASE_URL at the OpenAI-compatible fake), playing the
 * connection-pool scenario: a question runs the real LangChain + openai stack and our tools over
 * HTTP, the thread shows the work as it goes and ends with the root cause; when the LLM fails,
 * the root-cause engine answers instead and says so.
 */

const SIGNING_SECRET = 'e2e-agent-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let llm: FakeOpenAi;
let llmDown = false;
let eventsUrl: string;
let stop: (signal: string) => void;
let exited: Promise<number>;

function mention(text: string, channel: string, ts: string) {
  return { type: 'app_mention', user: 'U0ALICE', text: `<@U0AIOPSBOT> ${text}`, channel, ts, event_ts: ts };
}

beforeAll(async () => {
  await deleteKeys(redis);
  slack = await startFakeSlack();
  // Each model call takes a moment, as a real one does, so the thread has time to show progress.
  llm = await startFakeOpenAi({
    script: async (request, callIndex): Promise<ScriptStep | undefined> => {
      if (llmDown) return { status: 503, error: 'the model is overloaded' };
      // Asked how to fix it, the model proposes a restart of the first-ranked service before answering.
      const results = toolResults(request);
      const asksForFix = request.messages.some((message) => message.role === 'user' && String(message.content).includes('fix'));
      const top = /^1\. (\S+) \(score/m.exec(results.get('rank_root_causes') ?? '')?.[1];
      if (asksForFix && top && results.has('deployment_history') && !results.has('propose_action')) {
        return { tool_calls: [{ name: 'propose_action', arguments: { service: top, action: 'rollout-restart', reason: 'its connections are exhausted; a restart frees them' } }], delayMilliseconds: 300 };
      }
      const step = await scriptedInvestigator(request, callIndex);
      return step && 'hang' in step ? step : step && { ...step, delayMilliseconds: 800 };
    },
  });
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  ({ stop, exited } = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    environment: { AIOPS_SCENARIO: 'db-pool-exhaustion', AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z', OPENAI_BASE_URL: llm.baseUrl, OPENAI_MODEL: 'scripted-investigator' },
  }));
  await until(async () => (await redis.zrange('aiops:anomalies:index', '0', '-1')).some((id) => id.startsWith('database:')), 'an anomaly on database', 120_000);
}, 150_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await llm?.close();
  await deleteKeys(redis);
  await redis.quit();
});

describe('Slack with an LLM, end to end over HTTP', () => {
  it('investigates with the agent: tools run through the model, progress shows, the answer names the database', async () => {
    const event = mention('why is order-service slow?', 'C0AGENT', '1764000100.000100');
    expect((await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0AGENT' })).status).toBe(200);
    const answered = () => slack.thread('C0AGENT', event.ts).find((message) => /Investigated by the LLM agent/.test(JSON.stringify(message.blocks)));
    await until(() => answered() !== undefined, 'the agent\'s answer', 30_000);
    const answer = answered()!;
    expect(answer.text).toMatch(/Root cause|database/);
    expect(JSON.stringify(answer.blocks)).toMatch(/\*database\*/);

    // What the model was given and what it asked for.
    const requests = llm.requests();
    expect(requests[0]!.toolNames.sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of TOOL_NAMES) expect(requests[0]!.systemPrompt).toContain(tool);
    const called = requests.flatMap((request) => request.messages.flatMap((message) => message.tool_calls ?? []).map((call) => call.function.name));
    expect(new Set(called)).toEqual(new Set(['current_anomalies', 'rank_root_causes', 'deployment_history']));
    const rankResult = requests.at(-1)!.toolMessages.find((message) => message.content.includes('Likely root causes'));
    expect(rankResult?.content).toMatch(/^status: ok\n<<<DATA from tool rank_root_causes/);
    expect(rankResult?.content).toMatch(/1\. database \(score/);

    // The work showed as it went: an edit before the answer named a tool's step.
    const edits = slack.calls('chat.update').filter((call) => call.body.channel === 'C0AGENT').map((call) => String(call.body.text));
    expect(edits.some((text) => /Looking into it/.test(text) && !/Root cause/.test(text))).toBe(true);
  }, 45_000);

  it('gives the model the thread so far when a follow-up is asked in it', async () => {
    const event = mention('why is order-service slow?', 'C0THREAD', '1764000400.000100');
    await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0THREAD1' });
    const answers = () => slack.thread('C0THREAD', event.ts).filter((message) => /Investigated by the LLM agent/.test(JSON.stringify(message.blocks)));
    await until(() => answers().length === 1, 'the first answer', 30_000);
    const before = llm.requests().length;
    await sendEvent(eventsUrl, SIGNING_SECRET, { ...mention('and is anything else affected?', 'C0THREAD', '1764000401.000200'), thread_ts: event.ts }, { eventId: 'Ev0THREAD2' });
    await until(() => answers().length === 2, 'the follow-up answer', 30_000);
    const followUp = llm.requests().slice(before)[0]!;
    const conversation = followUp.messages.filter((message) => message.role === 'user' || message.role === 'assistant').map((message) => `${message.role}: ${String(message.content)}`);
    // The thread so far arrives as data, never as the bot's own (assistant) turns.
    expect(conversation.filter((line) => line.startsWith('assistant:'))).toEqual([]);
    expect(conversation[0]).toMatch(/<<<DATA from this thread's earlier exchanges[^\n]*\nAsked: why is order-service slow\?\nThe bot answered, in short: database — ranked first by the root-cause engine\nSuspect: database\n<<<END DATA/);
    expect(conversation.at(-1)).toMatch(/^user: and is anything else affected\?/);
  }, 60_000);

  it('shows a proposed fix with a button; the first click puts a previewed request with Approve and Reject in the thread, a second changes nothing', async () => {
    const event = mention('why is order-service slow, and how do we fix it?', 'C0PROPOSE', '1764000300.000100');
    await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0PROPOSE' });
    const answered = () => slack.thread('C0PROPOSE', event.ts).find((message) => JSON.stringify(message.blocks).includes('proposal_request_approval'));
    await until(() => answered() !== undefined, 'the answer with a proposal', 30_000);
    const answer = answered()!;
    expect(JSON.stringify(answer.blocks)).toMatch(/rollout-restart database/);
    const proposalId = /`(P-\d+)`/.exec(JSON.stringify(answer.blocks))?.[1];
    expect(proposalId).toBeDefined();

    const click = (userId: string) =>
      sendBlockAction(eventsUrl, SIGNING_SECRET, blockActionPayload({
        actionId: 'proposal_request_approval', value: proposalId, userId, channelId: 'C0PROPOSE', messageTs: answer.ts,
        responseUrl: slack.responseUrl({ channel: 'C0PROPOSE' }),
        message: { type: 'message', ts: answer.ts, thread_ts: event.ts, user: 'U0AIOPSBOT', text: answer.text, blocks: answer.blocks },
      }));
    expect((await click('U0DAVE')).status).toBe(200);
    // The database's incident may have asked for the same restart already: then the thread points there instead of asking twice.
    const isRequest = (message: { text: string; blocks?: unknown[] }) =>
      (/^R-\d+: restart database \(rollout restart\)/.test(message.text) && JSON.stringify(message.blocks).includes('remediation_approve')) || /^R-\d+ already asks to restart database \(rollout restart\) \(pending\)/.test(message.text);
    await until(() => slack.thread('C0PROPOSE', event.ts).some(isRequest), 'the previewed request in the thread', 15_000);
    expect((await click('U0ERIN')).status).toBe(200);
    await until(() => slack.calls(RESPONSE_URL_CALL).some((call) => JSON.stringify(call.body).includes('already requested')), 'the second clicker told');
    const requests = slack.thread('C0PROPOSE', event.ts).filter(isRequest);
    expect(requests).toHaveLength(1);
    const id = /^R-\d+/.exec(requests[0]!.text)![0];
    expect(JSON.parse((await redis.hget('aiops:healing:body', id))!)).toMatchObject({ status: 'pending', preview: expect.stringMatching(/would restart shop\/database/) });
    const told = slack.calls(RESPONSE_URL_CALL).map((call) => JSON.stringify(call.body));
    expect(told.some((text) => text.includes('already requested by <@U0DAVE>'))).toBe(true);
    const audit = await redis.xrevrange('aiops:audit', '+', '-', 'COUNT', 20);
    expect(audit.filter(([, fields]) => fields.join(' ').includes('"action":"request-approval"'))).toHaveLength(1);
  }, 45_000);

  it('answers who is paged from the catalogue without calling the model, and a follow-up about "it" keeps the service', async () => {
    const before = llm.requests().length;
    const event = mention('who is on call for the db?', 'C0LAYOUT', '1764000500.000100');
    await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0LAYOUT1' });
    const answers = () => slack.thread('C0LAYOUT', event.ts).filter((message) => /Answered from the catalogue/.test(JSON.stringify(message.blocks)));
    await until(() => answers().length === 1, 'the catalogue\'s answer', 15_000);
    expect(answers()[0]!.text.split('\n')[0]).toBe('Nobody is paged for database: no paging route takes it in, so its incidents are posted in #shop-platform only');
    await sendEvent(eventsUrl, SIGNING_SECRET, { ...mention('and what calls it?', 'C0LAYOUT', '1764000501.000200'), thread_ts: event.ts }, { eventId: 'Ev0LAYOUT2' });
    await until(() => answers().length === 2, 'the follow-up\'s answer', 15_000);
    expect(answers()[1]!.text.split('\n')[0]).toBe('database is called by order-service, payment, catalogue, shipping, user, and through them by checkout, frontend');
    expect(llm.requests().length).toBe(before);
  }, 40_000);

  it('answers from the root-cause engine, and says so, when the LLM fails', async () => {
    llmDown = true;
    try {
      const event = mention('why is order-service slow?', 'C0NOLLM', '1764000200.000100');
      await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0NOLLM' });
      const answered = () => slack.thread('C0NOLLM', event.ts).find((message) => /did not answer/.test(JSON.stringify(message.blocks)) && message.text.includes('database'));
      await until(() => answered() !== undefined, 'the fallback answer', 40_000);
      const answer = answered()!;
      expect(answer.text).toMatch(/database/);
      expect(JSON.stringify(answer.blocks)).toMatch(/root-cause engine/);
    } finally {
      llmDown = false;
    }
  }, 50_000);
});
