import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { parseAiopsCommand } from '../../src/slack/aiops-command.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const parse = (text: string) => parseAiopsCommand(text, catalogue);

describe('parseAiopsCommand', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['ask why is order-service slow?', { kind: 'ask', question: 'why is order-service slow?' }],
    ['status', { kind: 'status', service: undefined }],
    ['status cart', { kind: 'status', service: 'cart' }],
    ['incidents', { kind: 'incidents' }],
    ['audit', { kind: 'audit' }],
    ['forecast order-service', { kind: 'forecast', service: 'order-service', horizonHours: 24 }],
    ['logs order-service', { kind: 'logs', service: 'order-service', minutes: 15 }],
    ['logs payment 2h', { kind: 'logs', service: 'payment', minutes: 120 }],
    ['forecast order-service 2d', { kind: 'forecast', service: 'order-service', horizonHours: 48 }],
    ['silence payment 2h', { kind: 'silence', target: 'payment', durationMilliseconds: 7_200_000, durationText: '2h' }],
    ['silence payment:anomaly:1764000000000 30m', { kind: 'silence', target: 'payment:anomaly:1764000000000', durationMilliseconds: 1_800_000, durationText: '30m' }],
    ['silence INC-7 1h', { kind: 'silence', target: 'INC-7', durationMilliseconds: 3_600_000, durationText: '1h' }],
  ])('reads %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    ['frobnicate', 'Unknown subcommand `frobnicate`.'],
    ['ask', '`ask` needs a question, e.g. `/aiops ask why is order-service slow?`'],
    ['status billing', 'Unknown service `billing`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['forecast cart soon', 'Horizon `soon` is not a duration like `6h` or `2d`.'],
    ['logs', '`logs` needs a service, e.g. `/aiops logs order-service 15m`.'],
    ['logs cart lately', 'Window `lately` is not like `15m`, `2h` or `1d`.'],
    ['logs cart 2d', 'The log window must be from 1 minute to 1 day.'],
    ['forecast cart 30d', 'The forecast horizon must be from 1 hour to 14 days.'],
    ['silence payment', '`silence` needs a service (or incident id) and a duration, e.g. `/aiops silence payment 2h`.'],
    ['silence payment forever', 'Duration `forever` is not like `30m`, `2h` or `1d`.'],
    ['silence payment 8d', 'A silence lasts from 1 minute to 7 days.'],
    ['incidents now', '`incidents` takes no arguments.'],
  ])('explains what is wrong with %j', (text, problem) => {
    expect(parse(text)).toEqual({ kind: 'invalid', problem });
  });
});
