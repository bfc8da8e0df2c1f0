import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { commandsInQuestion } from '../../src/slack/commands-in-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const NOW = Date.UTC(2026, 11, 4, 15, 20);

describe('commandsInQuestion', () => {
  it('turns a capacity question into one forecast a service, and a logs question into one log summary a service', () => {
    expect(commandsInQuestion(catalogue, 'forecast payment and cart memory for 2 days', [], NOW)).toEqual({
      commands: [
        { kind: 'forecast', service: 'payment', signal: 'memory', horizonHours: 48 },
        { kind: 'forecast', service: 'cart', signal: 'memory', horizonHours: 48 },
      ],
      leftOut: [],
    });
    expect(commandsInQuestion(catalogue, 'show me the orders logs for the last hour', [], NOW)).toEqual({ commands: [{ kind: 'logs', service: 'order-service', minutes: 60 }], leftOut: [] });
  });

  it('turns a question for the trends, the open incidents or the history into that command', () => {
    expect(commandsInQuestion(catalogue, 'how is checkout doing compared to last week?', [], NOW).commands).toEqual([{ kind: 'trends', service: 'checkout' }]);
    expect(commandsInQuestion(catalogue, "what's firing?", [], NOW).commands).toEqual([{ kind: 'incidents' }]);
    expect(commandsInQuestion(catalogue, 'how often did payment break this month?', [], NOW).commands).toEqual([{ kind: 'history', service: 'payment', days: 30 }]);
  });

  it("lists the estate's capacity warnings for a capacity question naming no service, asks which service for a logs question, and leaves an unknown name to the investigation", () => {
    expect(commandsInQuestion(catalogue, 'how many pods will we need tomorrow?', [], NOW)).toEqual({ commands: [{ kind: 'capacity' }], leftOut: [] });
    expect(commandsInQuestion(catalogue, 'will anything run out of memory this week?', [], NOW).commands).toEqual([{ kind: 'capacity' }]);
    expect(commandsInQuestion(catalogue, 'how many replicas will billing need tomorrow?', [], NOW)).toEqual({ commands: [], leftOut: [] });
    expect(commandsInQuestion(catalogue, 'show me the logs', [], NOW).whichService).toBe('Which service? Name a catalogued one, e.g. "what is frontend logging?"');
    expect(commandsInQuestion(catalogue, 'show me the logs', ['cart'], NOW).commands).toEqual([{ kind: 'logs', service: 'cart', minutes: 15 }]);
    expect(commandsInQuestion(catalogue, 'what is the billing service logging?', [], NOW)).toEqual({ commands: [], leftOut: [] });
  });

  it('asks the same for the services a follow-up names, after a question a command answered', () => {
    const earlier = ['how many replicas will order-service need tomorrow?'];
    expect(commandsInQuestion(catalogue, 'and payment?', ['order-service'], NOW, earlier).commands).toEqual([{ kind: 'forecast', service: 'payment', signal: 'cpu', horizonHours: 33 }]);
    // A follow-up of a follow-up goes back to the question they follow.
    expect(commandsInQuestion(catalogue, 'what about cart and the db?', [], NOW, ['and payment?', ...earlier]).commands.map((command) => [command.kind, 'service' in command ? command.service : undefined])).toEqual([
      ['forecast', 'cart'],
      ['forecast', 'database'],
    ]);
    expect(commandsInQuestion(catalogue, 'same for cart', [], NOW, ['any trends on checkout?']).commands).toEqual([{ kind: 'trends', service: 'cart' }]);
    // After an investigation, or with more said than services, it is a question of its own.
    expect(commandsInQuestion(catalogue, 'and payment?', [], NOW, ['why is checkout slow?']).commands).toEqual([]);
    expect(commandsInQuestion(catalogue, 'and why is payment slow?', [], NOW, earlier).commands).toEqual([]);
  });

  it('answers for three services at most and names the rest', () => {
    const asked = commandsInQuestion(catalogue, 'what are checkout, payment, cart, shipping and user logging?', [], NOW);
    expect(asked.commands.map((command) => ('service' in command ? command.service : undefined))).toEqual(['checkout', 'payment', 'cart']);
    expect(asked.leftOut).toEqual(['shipping', 'user']);
  });

  it('leaves owners and changes to the catalogue and the change record, and trouble to the investigation', () => {
    for (const question of ["who owns payment's logs?", 'what changed in the payment logging config in the last hour?', 'why is payment logging errors?', 'why is checkout slow?']) {
      expect(commandsInQuestion(catalogue, question, [], NOW), question).toEqual({ commands: [], leftOut: [] });
    }
  });
});
