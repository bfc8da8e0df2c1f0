import { describe, expect, it } from 'vitest';
import { noticeMessage } from '../../../src/slack/blocks/notice-message.js';
import { checkBlocks, checkFallback, expectNoInjection, visibleText } from './block-checks.js';

describe('noticeMessage', () => {
  it('shows the text as one section with the same fallback', () => {
    const message = noticeMessage('Silenced *payment* for 2 h.');
    checkBlocks(message.blocks, 50);
    expect(message.blocks).toHaveLength(1);
    expect(visibleText(message.blocks)).toBe('Silenced *payment* for 2 h.');
    expect(message.text).toBe('Silenced *payment* for 2 h.');
  });

  it('escapes mentions and links the user typed', () => {
    const message = noticeMessage('Unknown service `<!channel>` & <https://evil.example|click>');
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
    expect(message.text).toBe('Unknown service `&lt;!channel&gt;` &amp; &lt;https://evil.example|click&gt;');
  });

  it('keeps long text within the section and fallback limits', () => {
    const message = noticeMessage('<'.repeat(9000));
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(visibleText(message.blocks)).toMatch(/^(&lt;)+…$/);
  });
});
