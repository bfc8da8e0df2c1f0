import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { parseAiopsCommand } from '../../src/slack/aiops-command.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const parse = (text: string) => parseAiopsCommand(text, catalogue);

describe('parseAiopsCommand: trends', () => {
  it.each([
    ['trends', { kind: 'trends', service: undefined }],
    ['trends cart', { kind: 'trends', service: 'cart' }],
    ['TRENDS order-service', { kind: 'trends', service: 'order-service' }],
  ])('reads %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    ['trends billing', 'Unknown service `billing`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['trends constructor', 'Unknown service `constructor`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['trends cart memory', '`trends` takes at most one service, e.g. `/aiops trends cart`.'],
  ])('explains what is wrong with %j', (text, problem) => {
    expect(parse(text)).toEqual({ kind: 'invalid', problem });
  });
});
