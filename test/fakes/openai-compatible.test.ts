import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from './openai-compatible.js';

const TOOLS = [
  {
    type: 'function' as const,
    function: { name: 'service_metrics', description: 'metrics', parameters: { type: 'object', properties: { service: { type: 'string' } } } },
  },
];

describe('fake OpenAI-compatible server', () => {
  let fake: FakeOpenAi | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  function client(apiKey = 'test-key'): OpenAI {
    if (!fake) throw new Error('start the fake first');
    return new OpenAI({ apiKey, baseURL: fake.baseUrl, maxRetries: 0, timeout: 5_000 });
  }

  it('plays text and tool-call steps in order, recording every request', async () => {
    fake = await startFakeOpenAi({
      script: [{ tool_calls: [{ name: 'service_metrics', arguments: { service: 'order-service' } }] }, { text: 'Root cause: database — pool exhausted' }],
    });
    const first = await client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'why slow?' }], tools: TOOLS, tool_choice: 'auto' });
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('service_metrics');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ service: 'order-service' });
    expect(first.usage?.prompt_tokens).toBeGreaterThan(10);

    const second = await client().chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'user', content: 'why slow?' },
        { role: 'assistant', content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: 'p95 2.1s' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Root cause: database — pool exhausted');
    expect(second.usage?.completion_tokens).toBe(Math.ceil('Root cause: database — pool exhausted'.length / 4));

    const [recordedFirst, recordedSecond] = fake.requests();
    expect(recordedFirst?.toolNames).toEqual(['service_metrics']);
    expect(recordedFirst?.toolChoice).toBe('auto');
    expect(recordedFirst?.model).toBe('gpt-test');
    expect(recordedSecond?.toolMessages).toEqual([{ toolCallId: call?.id, content: 'p95 2.1s' }]);
    expect(fake.remaining()).toBe(0);
  });

  it('streams text, tool-call deltas and a final usage chunk', async () => {
    fake = await startFakeOpenAi({
      script: [{ text: 'hello from the fake model, streamed in pieces', tool_calls: [{ name: 'service_metrics', arguments: { service: 'payment', minutes: 30 } }] }],
    });
    const stream = await client().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      tools: TOOLS,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let argumentsText = '';
    let name = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? '';
      for (const delta of choice?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        argumentsText += delta.function?.arguments ?? '';
      }
      finish = choice?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('hello from the fake model, streamed in pieces');
    expect(name).toBe('service_metrics');
    expect(JSON.parse(argumentsText)).toEqual({ service: 'payment', minutes: 30 });
    expect(finish).toBe('tool_calls');
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(fake.lastRequest()?.stream).toBe(true);
  });

  it('answers from a function of the request', async () => {
    fake = await startFakeOpenAi({
      script: (request, index) => (index < 2 ? { text: `call ${index + 1}: ${request.messages.length} messages` } : undefined),
    });
    const answer = await client().chat.completions.create({ model: 'm', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'x' }] });
    expect(answer.choices[0]?.message.content).toBe('call 1: 2 messages');
    expect(fake.lastRequest()?.systemPrompt).toBe('be brief');
  });

  it('fails with a clear 500 when the script runs out, and plays scripted HTTP errors', async () => {
    fake = await startFakeOpenAi({ script: [{ status: 429, error: 'Rate limit reached' }] });
    await expect(client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('Rate limit reached'),
    });
    await expect(client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('script ran out at call 2'),
    });
  });

  it('hangs when told to, until the client gives up', async () => {
    fake = await startFakeOpenAi({ script: [{ hang: true }] });
    const slow = new OpenAI({ apiKey: 'k', baseURL: fake.baseUrl, maxRetries: 0, timeout: 300 });
    const started = Date.now();
    await expect(slow.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.requests()).toHaveLength(1);
  });

  it('delays an answer', async () => {
    fake = await startFakeOpenAi({ script: [{ text: 'late', delayMilliseconds: 200 }] });
    const started = Date.now();
    await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('lists its model and checks the API key when given one', async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-right', model: 'fake-gpt' });
    const models = await client('sk-right').models.list();
    expect(models.data.map((model) => model.id)).toEqual(['fake-gpt']);
    await expect(client('sk-wrong').models.list()).rejects.toMatchObject({ status: 401 });
  });

  it('serves LangChain streaming, tool-call deltas and usage included', async () => {
    fake = await startFakeOpenAi({ script: [{ tool_calls: [{ name: 'service_metrics', arguments: { service: 'payment' } }] }] });
    const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'k', maxRetries: 0, configuration: { baseURL: fake.baseUrl } });
    // .stream(), not invoke() with streaming: true: that path then counts tokens with tiktoken,
    // whose encodings LangChain downloads from tiktoken.pages.dev (it hangs without a network).
    let reply: AIMessageChunk | undefined;
    for await (const chunk of await model.bindTools(TOOLS).stream('check payment')) reply = reply ? reply.concat(chunk) : chunk;
    if (!reply) throw new Error('no chunks');
    expect(reply.tool_calls).toMatchObject([{ name: 'service_metrics', args: { service: 'payment' } }]);
    expect(reply.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(fake.lastRequest()).toMatchObject({ stream: true, body: { stream_options: { include_usage: true } } });
  });
});
