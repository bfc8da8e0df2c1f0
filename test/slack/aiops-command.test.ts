import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { commandInMessage, parseAiopsCommand } from '../../src/slack/aiops-command.js';

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
    ['capacity', { kind: 'capacity' }],
    ['audit', { kind: 'audit' }],
    ['history', { kind: 'history', days: 30 }],
    ['history payment', { kind: 'history', service: 'payment', days: 30 }],
    ['history 7d payment', { kind: 'history', service: 'payment', days: 7 }],
    ['forecast order-service', { kind: 'forecast', service: 'order-service', signal: 'cpu', horizonHours: 24 }],
    ['forecast order-service request_rate 6h', { kind: 'forecast', service: 'order-service', signal: 'request_rate', horizonHours: 6 }],
    ['forecast order-service 3d memory', { kind: 'forecast', service: 'order-service', signal: 'memory', horizonHours: 72 }],
    ['logs order-service', { kind: 'logs', service: 'order-service', minutes: 15 }],
    ['logs payment 2h', { kind: 'logs', service: 'payment', minutes: 120 }],
    ['forecast order-service 2d', { kind: 'forecast', service: 'order-service', signal: 'cpu', horizonHours: 48 }],
    ['silence payment 2h deploy of v2.3 in progress', { kind: 'silence', target: 'payment', durationMilliseconds: 7_200_000, durationText: '2h', reason: 'deploy of v2.3 in progress' }],
    ['silence payment:anomaly:1764000000000 30m known flake', { kind: 'silence', target: 'payment:anomaly:1764000000000', durationMilliseconds: 1_800_000, durationText: '30m', reason: 'known flake' }],
    ['silence INC-7 1h load test', { kind: 'silence', target: 'INC-7', durationMilliseconds: 3_600_000, durationText: '1h', reason: 'load test' }],
    ['unsilence payment', { kind: 'unsilence', target: 'payment' }],
    ['unsilence INC-7', { kind: 'unsilence', target: 'INC-7' }],
    // Aliases from the catalogue (database: db, postgres; order-service: orders) stand for the service.
    ['logs db 1h', { kind: 'logs', service: 'database', minutes: 60 }],
    ['forecast Postgres memory 6h', { kind: 'forecast', service: 'database', signal: 'memory', horizonHours: 6 }],
    ['status orders', { kind: 'status', service: 'order-service' }],
    ['history 7d db', { kind: 'history', service: 'database', days: 7 }],
    ['silence db 1h vacuum', { kind: 'silence', target: 'database', durationMilliseconds: 3_600_000, durationText: '1h', reason: 'vacuum' }],
    ['unsilence db', { kind: 'unsilence', target: 'database' }],
  ])('reads %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    ['frobnicate', 'Unknown subcommand `frobnicate`.'],
    ['ask', '`ask` needs a question, e.g. `/aiops ask why is order-service slow?`'],
    ['status billing', 'Unknown service `billing`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['logs paymnet', 'Unknown service `paymnet`; did you mean `payment`? catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['trends postgress', 'Unknown service `postgress`; did you mean `database`? catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['forecast cart soon', '`soon` is neither a signal (cpu, memory, request_rate, latency_p95, error_rate) nor a horizon like `6h` or `2d`. `forecast` needs a service, then optionally a signal and a horizon, e.g. `/aiops forecast order-service cpu 24h`.'],
    ['forecast cart restarts', '`restarts` is neither a signal (cpu, memory, request_rate, latency_p95, error_rate) nor a horizon like `6h` or `2d`. `forecast` needs a service, then optionally a signal and a horizon, e.g. `/aiops forecast order-service cpu 24h`.'],
    ['logs', '`logs` needs a service, e.g. `/aiops logs order-service 15m`.'],
    ['logs cart lately', 'Window `lately` is not like `15m`, `2h` or `1d`.'],
    ['logs cart 2d', 'The log window must be from 1 minute to 1 day.'],
    ['forecast cart 30d', 'The forecast horizon must be from 1 hour to 7 days; `30d` is not.'],
    ['silence payment', '`silence` needs a service (or incident id), a duration and a reason, e.g. `/aiops silence payment 2h deploy of v2.3 in progress`.'],
    ['silence payment forever', 'Duration `forever` is not like `30m`, `2h` or `1d`.'],
    ['silence payment 8d deploy', 'A silence lasts from 1 minute to 7d.'],
    ['silence payment 2h', 'A silence needs a reason people will read in the channel, e.g. `/aiops silence payment 2h deploy of v2.3 in progress`.'],
    ['unsilence', '`unsilence` needs one service (or incident id), e.g. `/aiops unsilence payment`.'],
    // Own keys only: names every object inherits are no services.
    ['silence constructor 7d because', 'Unknown service `constructor`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['status __proto__', 'Unknown service `__proto__`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['logs toString', 'Unknown service `toString`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['unsilence hasOwnProperty', 'Unknown service `hasOwnProperty`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache.'],
    ['incidents now', '`incidents` takes no arguments.'],
    ['capacity payment', '`capacity` takes no arguments; `/aiops forecast <service>` draws one service.'],
    ['history 400d', 'The history window must be from 1 to 365 days; `400d` is not.'],
    ['history billing', 'Unknown service `billing`; catalogued services: frontend, checkout, order-service, payment, cart, catalogue, shipping, user, database, cache. `history` takes an optional service and an optional window in days, e.g. `/aiops history payment 7d`.'],
    ['history payment cart', '`history` takes an optional service and an optional window in days, e.g. `/aiops history payment 7d`.'],
  ])('explains what is wrong with %j', (text, problem) => {
    expect(parse(text)).toEqual({ kind: 'invalid', problem });
  });
});

describe('commandInMessage', () => {
  const said = (text: string) => commandInMessage(text, catalogue);

  it.each([
    ['status', { kind: 'status', service: undefined }],
    ['Status db', { kind: 'status', service: 'database' }],
    ['incidents', { kind: 'incidents' }],
    ['help', { kind: 'help' }],
    ['forecast orders 6h', { kind: 'forecast', service: 'order-service', signal: 'cpu', horizonHours: 6 }],
    ['/aiops logs payment 1h', { kind: 'logs', service: 'payment', minutes: 60 }],
    ['silence payment 2h deploy in progress', { kind: 'silence', target: 'payment', durationMilliseconds: 7_200_000, durationText: '2h', reason: 'deploy in progress' }],
  ])('runs %j as the command it spells', (text, command) => {
    expect(said(text)).toEqual(command);
  });

  it('answers a command-only word with a mistake with its usage, not an investigation', () => {
    expect(said('forecast order-service soon')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^`soon` is neither a signal/) });
    expect(said('silence payment')).toMatchObject({ kind: 'invalid' });
  });

  it.each(['why is order-service slow?', 'help me find why checkout is slow', 'status of payment?', 'status of the db', 'incidents today?', 'ask why is cart slow', 'forecast for checkout?', 'healing?', ''])(
    'leaves %j to the investigation',
    (text) => {
      expect(said(text)).toBeUndefined();
    },
  );
});
