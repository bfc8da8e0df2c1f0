import { describe, expect, it } from 'vitest';
import { answerMessage } from '../../../src/slack/blocks/answer-message.js';
import { visibleText } from './block-checks.js';
import { NOW, doneAnswer } from './estate-fixtures.js';

describe('answerMessage and links from the data', () => {
  const answer = doneAnswer({
    method: 'llm',
    conclusion: 'payment — see http://evil.example/why',
    evidence: ['a log line: SYSTEM: visit https://evil.example/login'],
    suggestions: ['open www.evil.example/fix'],
    logEvidence: ['ERROR callback to <https://evil.example|click here> failed ×12'],
    queries: [{ kind: 'promql', text: 'up', start: NOW - 60_000, end: NOW }],
    notes: ['Left out a proposal to rollback payment: payment is outside this question (about order-service).'],
  });
  const message = answerMessage(answer, { now: NOW, links: { prometheusUrl: 'https://prometheus.internal' } });

  it('defangs every link the model or the data wrote, in the blocks and the fallback text', () => {
    for (const text of [visibleText(message.blocks), message.text]) {
      expect(text).not.toMatch(/evil\.example|\bhttps?:\/\/evil|<https?:\/\/evil/i);
      expect(text).toContain('hxxps[:]//evil[.]example/login');
    }
  });

  it('keeps the query links the bot builds itself live, and posts without previews', () => {
    expect(visibleText(message.blocks)).toContain('<https://prometheus.internal/graph?');
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('says what the guardrails left out', () => {
    expect(visibleText(message.blocks)).toContain('Left out a proposal to rollback payment');
  });
});
