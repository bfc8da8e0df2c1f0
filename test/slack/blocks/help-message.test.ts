import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../../src/catalogue.js';
import { parseAiopsCommand } from '../../../src/slack/aiops-command.js';
import { AIOPS_SUBCOMMANDS, helpMessage, usageMessage } from '../../../src/slack/blocks/help-message.js';
import { checkBlocks, checkFallback, expectNoInjection, textsOf, visibleText } from './block-checks.js';

describe('helpMessage', () => {
  const message = helpMessage();
  const all = visibleText(message.blocks);

  it('lists every /aiops subcommand with a description and an example', () => {
    checkBlocks(message.blocks, 50);
    expect(AIOPS_SUBCOMMANDS.map((subcommand) => subcommand.name)).toEqual(['ask', 'status', 'incidents', 'forecast', 'capacity', 'trends', 'changes', 'logs', 'silence', 'unsilence', 'history', 'audit', 'healing', 'help']);
    for (const usage of [
      '`/aiops ask &lt;question&gt;`',
      '`/aiops status [service]`',
      '`/aiops incidents`',
      '`/aiops forecast &lt;service&gt; [signal] [horizon]`',
      '`/aiops trends [service]`',
      '`/aiops changes [service] [window]`',
      '`/aiops logs &lt;service&gt; [window]`',
      '`/aiops silence &lt;service|incident&gt; &lt;duration&gt; &lt;reason&gt;`',
      '`/aiops unsilence &lt;service|incident&gt;`',
      '`/aiops audit [service]`',
      '`/aiops healing [on|off|status]`',
      '`/aiops help`',
    ]) {
      expect(all).toContain(usage);
    }
    expect(all).toContain('_Example:_ `/aiops ask why is order-service slow?`');
  });

  it('offers only what works: every example parses to its own subcommand', () => {
    const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
    for (const subcommand of AIOPS_SUBCOMMANDS) {
      expect(subcommand.example.startsWith(`/aiops ${subcommand.name}`), subcommand.example).toBe(true);
      expect(parseAiopsCommand(subcommand.example.replace(/^\/aiops\s*/, ''), catalogue).kind, subcommand.example).toBe(subcommand.name);
    }
  });

  it('escapes the angle brackets of placeholders so Slack shows them instead of parsing them', () => {
    expect(all).not.toMatch(/<(question|service|duration)/);
    expect(message.text).not.toMatch(/<(question|service|duration)/);
  });

  it('has a fallback naming every subcommand', () => {
    checkFallback(message.text);
    for (const subcommand of AIOPS_SUBCOMMANDS) expect(message.text).toContain(`/aiops ${subcommand.name}`);
  });
});

describe('usageMessage', () => {
  it('starts with the problem, then the short usage', () => {
    const message = usageMessage('Unknown subcommand `frobnicate`.');
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const [first] = textsOf(message.blocks);
    expect(first!.split('\n').slice(0, 3)).toEqual(['Unknown subcommand `frobnicate`.', '*Usage:*', '`/aiops ask &lt;question&gt;`']);
    expect(message.text.split('\n')[0]).toBe('Unknown subcommand `frobnicate`.');
    expect(visibleText(message.blocks)).toContain('`/aiops help`');
  });

  it('escapes what the user typed', () => {
    const message = usageMessage('Unknown subcommand `<!channel>`.');
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
    expect(message.text.split('\n')[0]).toBe('Unknown subcommand `&lt;!channel&gt;`.');
  });

  it('keeps an enormous problem within the limits', () => {
    const message = usageMessage(`Unknown subcommand \`${'q'.repeat(10_000)}\`.`);
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
  });
});
