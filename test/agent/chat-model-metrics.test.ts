import { afterEach, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/agent/chat-model.js';
import { Metrics, type ModelCall } from '../../src/telemetry/metrics.js';
import { sampleValue } from '../support/exposition.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-compatible.js';

describe('the chat model measures every request to the LLM', () => {
  let fake: FakeOpenAi | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('counts each request with its outcome, time and the tokens the endpoint reported, a retried 503 included', async () => {
    fake = await startFakeOpenAi({ script: [{ status: 503 }, { text: 'The database is the bottleneck.', delayMilliseconds: 50 }], apiKey: 'sk-test-key' });
    const calls: ModelCall[] = [];
    const metrics = new Metrics({ processMetrics: false });
    const model = createChatModel(
      { apiKey: 'sk-test-key', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' },
      {
        maxRetries: 1,
        onCall: (call) => {
          calls.push(call);
          metrics.modelCall(call);
        },
      },
    );
    const answer = await model.invoke('why is order-service slow?');
    expect(answer.content).toBe('The database is the bottleneck.');
    expect(calls.map((call) => call.outcome)).toEqual(['http_error', 'ok']);
    expect(calls[1]!.seconds).toBeGreaterThanOrEqual(0.05);
    expect(calls[1]!.promptTokens).toBeGreaterThan(0);
    expect(calls[1]!.completionTokens).toBeGreaterThan(0);
    const text = await metrics.render();
    expect(sampleValue(text, 'aiops_llm_calls_total', { outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, 'aiops_llm_calls_total', { outcome: 'http_error' })).toBe(1);
    expect(sampleValue(text, 'aiops_llm_call_duration_seconds_count', {})).toBe(2);
    expect(sampleValue(text, 'aiops_llm_tokens_total', { kind: 'prompt' })).toBe(calls[1]!.promptTokens);
    expect(sampleValue(text, 'aiops_llm_tokens_total', { kind: 'completion' })).toBe(calls[1]!.completionTokens);
  });

  it('tells a 429 from other HTTP errors', async () => {
    fake = await startFakeOpenAi({ script: [{ status: 429 }], apiKey: 'sk-test-key' });
    const calls: ModelCall[] = [];
    const model = createChatModel({ apiKey: 'sk-test-key', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' }, { maxRetries: 0, onCall: (call) => calls.push(call) });
    await expect(model.invoke('hello')).rejects.toThrow(/429/);
    expect(calls.map((call) => call.outcome)).toEqual(['rate_limited']);
  });

  it('counts a request that never got an answer as a network error', async () => {
    const calls: ModelCall[] = [];
    const model = createChatModel({ apiKey: 'sk-test-key', baseUrl: 'http://127.0.0.1:1/v1', model: 'gpt-4o-mini' }, { maxRetries: 0, onCall: (call) => calls.push(call) });
    await expect(model.invoke('hello')).rejects.toThrow();
    expect(calls.map((call) => call.outcome)).toEqual(['network_error']);
  });
});
