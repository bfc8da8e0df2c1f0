import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../../src/catalogue.js';
import { catalogueAnswer } from '../../../src/investigation/catalogue-answer.js';
import { answerMessage } from '../../../src/slack/blocks/answer-message.js';
import { checkBlocks, checkFallback, expectNoInjection, textsOf, visibleText } from './block-checks.js';
import { MINUTE, NOW, anomaly, databaseLatency, doneAnswer, manyAnomalies, orderLatency } from './estate-fixtures.js';

describe('answerMessage while investigating', () => {
  it('shows the steps done with ✓ and the current one with ⏳', () => {
    const message = answerMessage(
      doneAnswer({
        stage: 'investigating',
        conclusion: undefined,
        suspect: undefined,
        steps: ['Read the catalogue: order-service depends on payment and database', 'Checked 6 signals of order-service', 'Checking database'],
      }),
      { now: NOW },
    );
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(message.blocks).toHaveLength(1);
    const lines = visibleText(message.blocks).split('\n');
    expect(lines[0]).toContain('Looking into it…');
    expect(lines.slice(1)).toEqual(['✓ Read the catalogue: order-service depends on payment and database', '✓ Checked 6 signals of order-service', '⏳ Checking database']);
    expect(message.text).toBe('Looking into it… Checking database');
  });

  it('is just "Looking into it…" before the first step', () => {
    const message = answerMessage(doneAnswer({ stage: 'investigating', steps: [] }), { now: NOW });
    expect(visibleText(message.blocks)).toBe('⏳ *Looking into it…*');
    expect(message.text).toBe('Looking into it…');
  });

  it('keeps a long investigation compact', () => {
    const steps = Array.from({ length: 40 }, (_, index) => `Checked signal ${index}`);
    const message = answerMessage(doneAnswer({ stage: 'investigating', steps }), { now: NOW });
    const text = visibleText(message.blocks);
    expect(text).toContain('✓ 32 earlier steps');
    expect(text).toContain('⏳ Checked signal 39');
    expect(text).not.toContain('Checked signal 31\n');
  });
});

describe('answerMessage when done', () => {
  const message = answerMessage(doneAnswer(), { now: NOW });
  const texts = textsOf(message.blocks);
  const all = texts.join('\n');

  it('leads with the conclusion in bold and names the suspect', () => {
    checkBlocks(message.blocks, 50);
    expect(texts[0]).toBe('*database: latency_p95 185 ms (usually 9 ms)*\nSuspect: *database*');
  });

  it('lists the evidence most severe first, with when it was seen', () => {
    const database = all.indexOf('🔴 *database*: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)');
    const order = all.indexOf('🟠 *order-service*: latency_p95 420 ms (usually 80 ms)');
    const payment = all.indexOf('🔵 *payment*: memory 812 MiB (usually 610 MiB)');
    expect(database).toBeGreaterThan(-1);
    expect(database).toBeLessThan(order);
    expect(order).toBeLessThan(payment);
    expect(all).toContain('*Anomalies*');
    expect(all).toContain(`<!date^${(NOW - 6 * MINUTE) / 1000}^`);
    expect(all).toContain('(6 min ago)');
    expect(all).toMatch(/database\*: latency_p95 185 ms[^\n]*← suspect/);
  });

  it('puts a service’s most severe anomaly first even when a milder one is newer', () => {
    const milderButNewer = anomaly({ service: 'database', summary: 'database: memory 3.10 GiB (usually 2.40 GiB)', severity: 'info', detectedAt: NOW - MINUTE });
    const mixed = answerMessage(doneAnswer({ servicesInAnomaly: [{ service: 'database', anomalies: [milderButNewer, databaseLatency] }] }), { now: NOW });
    const evidence = textsOf(mixed.blocks).find((text) => text.startsWith('*Anomalies*'))!.split('\n');
    expect(evidence[1]).toMatch(/^🔴 \*database\*: latency_p95 185 ms/);
    expect(evidence[2]).toMatch(/^🔵 \*database\*: memory 3.10 GiB/);
  });

  it('lists recent changes newest first', () => {
    const changes = texts.find((text) => text.startsWith('*Recent changes*'))!;
    expect(changes).toBeDefined();
    const deploy = changes.indexOf('🚀 *payment* 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)');
    const scale = changes.indexOf('📏 *order-service* 3 → 5 replicas (scale)');
    expect(deploy).toBeGreaterThan(-1);
    expect(deploy).toBeLessThan(scale);
    expect(changes).toContain('(25 min ago)');
  });

  it('shows the suggestions and labels the method honestly', () => {
    expect(all).toContain('*What to do next*\n• Look for slow queries on database\n• If the load came with payment 2.5.0, roll it back');
    expect(texts.at(-1)).toBe('Answered by the root-cause engine from metrics, the call graph, changes, cluster events and logs — no LLM configured');
    const llm = answerMessage(doneAnswer({ method: 'llm' }), { now: NOW });
    expect(textsOf(llm.blocks).at(-1)).toBe('Investigated by the LLM agent with read-only tools');
    expect(visibleText(llm.blocks)).not.toContain('no LLM');
  });

  it('has a complete plain-text fallback', () => {
    checkFallback(message.text);
    const lines = message.text.split('\n');
    expect(lines[0]).toBe('database: latency_p95 185 ms (usually 9 ms)');
    expect(lines[1]).toBe('Suspect: database');
    expect(message.text).toContain('payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow) — 25 min ago');
    expect(message.text).toContain('• Look for slow queries on database');
    expect(lines.at(-1)).toBe('Answered by the root-cause engine from metrics, the call graph, changes, cluster events and logs — no LLM configured');
  });

  it('says plainly when nothing is wrong', () => {
    const calm = answerMessage(doneAnswer({ conclusion: undefined, suspect: undefined, servicesInAnomaly: [], recentChanges: [], suggestions: [] }), { now: NOW });
    checkBlocks(calm.blocks, 50);
    expect(textsOf(calm.blocks)[0]).toBe('✅ *No anomalies on order-service or its dependencies in the last 30 minutes*');
    expect(visibleText(calm.blocks)).toContain('*Recent changes*\nNone recorded.');
    expect(visibleText(calm.blocks)).not.toContain('Anomalies');
    expect(calm.text.split('\n')[0]).toBe('No anomalies on order-service or its dependencies in the last 30 minutes');
    // The figures behind "nothing": after the statement, since it is about the same service.
    const withFigures = answerMessage(doneAnswer({ conclusion: undefined, suspect: undefined, servicesInAnomaly: [], asUsual: ['order-service shows nothing unusual: latency_p95 84 ms (usually 85 ms)'] }), { now: NOW });
    expect(textsOf(withFigures.blocks)[0]).toBe('✅ *No anomalies on order-service or its dependencies in the last 30 minutes*\norder-service shows nothing unusual: latency_p95 84 ms (usually 85 ms)');
    expect(withFigures.text.split('\n').slice(0, 2)).toEqual(['No anomalies on order-service or its dependencies in the last 30 minutes', 'order-service shows nothing unusual: latency_p95 84 ms (usually 85 ms)']);
    const estateWide = answerMessage(doneAnswer({ services: [], conclusion: undefined, servicesInAnomaly: [] }), { now: NOW, lookbackMinutes: 120 });
    expect(estateWide.text.split('\n')[0]).toBe('No anomalies anywhere in the estate in the last 2 hours');
  });

  it('says first that the service asked about shows nothing, then where the trouble is', () => {
    const message = answerMessage(doneAnswer({ services: ['checkout'], asUsual: ['checkout shows nothing unusual: latency_p95 450 ms (usually 448 ms), error_rate 0.49% (usually 0.43%)'] }), { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(textsOf(message.blocks)[0]).toBe('✅ checkout shows nothing unusual: latency_p95 450 ms (usually 448 ms), error_rate 0.49% (usually 0.43%)\n*database: latency_p95 185 ms (usually 9 ms)*\nSuspect: *database*');
    expect(message.text.split('\n').slice(0, 2)).toEqual(['checkout shows nothing unusual: latency_p95 450 ms (usually 448 ms), error_rate 0.49% (usually 0.43%)', 'database: latency_p95 185 ms (usually 9 ms)']);
  });

  it('names who owns the suspect, linking a channel given by ID', () => {
    const byName = answerMessage(doneAnswer({ suspectOwner: { team: 'platform', channel: '#shop-platform' } }), { now: NOW });
    expect(textsOf(byName.blocks)[0]).toBe('*database: latency_p95 185 ms (usually 9 ms)*\nSuspect: *database* (team platform, #shop-platform)');
    expect(byName.text.split('\n')[1]).toBe('Suspect: database (team platform, #shop-platform)');
    const byId = answerMessage(doneAnswer({ suspectOwner: { team: 'platform', channel: 'C0123ABCDEF' } }), { now: NOW });
    expect(textsOf(byId.blocks)[0]).toContain('Suspect: *database* (team platform, <#C0123ABCDEF>)');
    expect(byId.text.split('\n')[1]).toBe('Suspect: database (team platform, C0123ABCDEF)');
    const withRunbook = answerMessage(doneAnswer({ suspectOwner: { team: 'platform', channel: '#shop-platform', runbook: 'https://wiki.example.com/runbooks/database' } }), { now: NOW });
    expect(textsOf(withRunbook.blocks)[0]).toContain('Suspect: *database* (team platform, #shop-platform) · <https://wiki.example.com/runbooks/database|runbook>');
    expect(withRunbook.text.split('\n')[1]).toBe('Suspect: database (team platform, #shop-platform) · runbook https://wiki.example.com/runbooks/database');
  });

  it('shows a catalogue answer as its line and the service\'s card, saying nothing was investigated', () => {
    const answer = catalogueAnswer(loadCatalogue(EXAMPLE_CATALOGUE_PATH), 'who owns payment?', [])!;
    const message = answerMessage(answer, { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(textsOf(message.blocks)).toEqual([
      '*payment is owned by team payments; its incidents go to #shop-payments (Deployment payment in namespace shop)*',
      '• Nobody is paged for payment: no paging route takes it in, so its incidents are posted in #shop-payments only\n• payment calls database\n• payment is called by checkout, and through it by frontend',
      'Answered from the catalogue (AIOPS_CONFIG): no metrics, logs or LLM needed',
    ]);
    expect(message.text.split('\n')).toEqual([
      'payment is owned by team payments; its incidents go to #shop-payments (Deployment payment in namespace shop)',
      '• Nobody is paged for payment: no paging route takes it in, so its incidents are posted in #shop-payments only',
      '• payment calls database',
      '• payment is called by checkout, and through it by frontend',
      'Answered from the catalogue (AIOPS_CONFIG): no metrics, logs or LLM needed',
    ]);
    const withRunbook = answerMessage({ ...answer, runbooks: [{ service: 'payment', url: 'https://wiki.example.com/runbooks/payment' }] }, { now: NOW });
    expect(textsOf(withRunbook.blocks)[2]).toBe('📖 Runbook: <https://wiki.example.com/runbooks/payment|payment>');
    expect(withRunbook.text.split('\n').at(-2)).toBe('Runbook of payment: https://wiki.example.com/runbooks/payment');
  });

  it('shows the answer to "what changed?" as the count and every change, saying nothing was investigated', () => {
    const changes = Array.from({ length: 12 }, (_, index) => ({ service: 'payment', kind: 'deploy' as const, description: `payment 2.${index}.0 → 2.${index + 1}.0`, at: NOW - (index + 1) * MINUTE }));
    const message = answerMessage(doneAnswer({ method: 'changes', conclusion: '12 deploys anywhere in the estate in the last hour', suspect: undefined, servicesInAnomaly: [], recentChanges: changes, suggestions: [] }), { now: NOW });
    checkBlocks(message.blocks, 50);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('*12 deploys anywhere in the estate in the last hour*');
    // All twelve: the changes are the whole answer, not evidence beside one.
    expect(texts[1]!.split('\n')).toHaveLength(13);
    expect(texts.at(-1)).toMatch(/^Read from the cluster's rollouts and scaling/);
    expect(message.text.split('\n').filter((line) => line.startsWith('payment 2.'))).toHaveLength(12);
  });

  it('admits when anomalies point nowhere in particular', () => {
    const unclear = answerMessage(doneAnswer({ conclusion: undefined, suspect: undefined }), { now: NOW });
    expect(textsOf(unclear.blocks)[0]).toBe('*Anomalies on 3 services; no single cause stands out*');
    expect(visibleText(unclear.blocks)).not.toContain('Suspect');
  });
});

describe('answerMessage escaping', () => {
  it('renders mentions and links in names, summaries and changes literally', () => {
    const hostile = anomaly({ service: 'evil<!channel>', summary: 'evil<!channel>: log line <@U0ADMIN> said <https://evil.example|click> & more', severity: 'critical' });
    const message = answerMessage(
      doneAnswer({
        conclusion: 'Caused by <!here> deploy',
        suspect: 'evil<!channel>',
        servicesInAnomaly: [{ service: 'evil<!channel>', anomalies: [hostile] }],
        recentChanges: [{ service: 'evil<!channel>', kind: 'event', description: '<!channel> wake up', at: NOW - MINUTE }],
        suggestions: ['Ping <!here>'],
      }),
      { now: NOW },
    );
    checkBlocks(message.blocks, 50);
    const all = visibleText(message.blocks);
    expectNoInjection(all);
    expectNoInjection(message.text);
    expect(all).toContain('*evil&lt;!channel&gt;*: log line &lt;@U0ADMIN&gt; said &lt;https://evil.example|click&gt; &amp; more');
    expect(all).toContain('Suspect: *evil&lt;!channel&gt;*');
    expect(all).toContain('*Caused by &lt;!here&gt; deploy*');
    expect(message.text).toContain('Caused by &lt;!here&gt; deploy');
  });
});

describe('answerMessage limits', () => {
  it('fits 500 anomalies on 500 services into 50 blocks and says how many are hidden', () => {
    const anomalies = manyAnomalies(500);
    const message = answerMessage(
      doneAnswer({ servicesInAnomaly: anomalies.map((item) => ({ service: item.service, anomalies: [item] })) }),
      { now: NOW },
    );
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(visibleText(message.blocks)).toMatch(/… \d+ more services in anomaly not shown/);
    expect(message.text).toContain('… and 490 more');
    expect(message.text.split('\n').at(-1)).toContain('no LLM configured');
  });

  it('fits 500 anomalies of one service into one section', () => {
    const anomalies = Array.from({ length: 500 }, (_, index) => ({ ...databaseLatency, id: `database:${index}`, detectedAt: NOW - index * 1000 }));
    const message = answerMessage(doneAnswer({ servicesInAnomaly: [{ service: 'database', anomalies }, { service: 'order-service', anomalies: [orderLatency] }] }), { now: NOW });
    checkBlocks(message.blocks, 50);
    expect(visibleText(message.blocks)).toContain('… and 497 more on database');
  });

  it('trims an enormous conclusion, step, change and suggestion list within Slack’s limits', () => {
    const huge = 'x'.repeat(20_000);
    const message = answerMessage(
      doneAnswer({
        conclusion: huge,
        suggestions: Array.from({ length: 300 }, (_, index) => `suggestion ${index} ${'y'.repeat(80)}`),
        recentChanges: Array.from({ length: 300 }, (_, index) => ({ service: 'payment', kind: 'deploy' as const, description: `payment build ${index} ${'z'.repeat(3000)}`, at: NOW - index * MINUTE })),
      }),
      { now: NOW },
    );
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(visibleText(message.blocks)).toMatch(/… and \d+ more/);
    const progress = answerMessage(doneAnswer({ stage: 'investigating', steps: [huge] }), { now: NOW });
    checkBlocks(progress.blocks, 50);
    checkFallback(progress.text);
  });
});

describe('answerMessage: the kind of fault, log evidence and unknown services', () => {
  const logEvidence = ['database: about 1299 error lines "FATAL: sorry, too many clients already (max_connections=<*>)" (new since 14:36 UTC)'];

  it('names the kind of fault under the suspect and quotes the new error templates, escaped', () => {
    const message = answerMessage(doneAnswer({ diagnosis: { kind: 'connection-pool-exhaustion', summary: 'connection-pool exhaustion: its logs say "FATAL: sorry, too many clients"' }, logEvidence }), { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('*database: latency_p95 185 ms (usually 9 ms)*\nSuspect: *database*\nLikely fault: connection-pool exhaustion: its logs say "FATAL: sorry, too many clients"');
    expect(texts).toContain('*Log evidence*\n• database: about 1299 error lines "FATAL: sorry, too many clients already (max_connections=&lt;*&gt;)" (new since 14:36 UTC)');
    expect(message.text).toContain('Log evidence:\ndatabase: about 1299 error lines');
  });

  it('answers a question only about an unknown service with that alone, not with the estate', () => {
    const unknown = answerMessage(
      doneAnswer({
        services: [],
        conclusion: 'billing is not a catalogued service. Did you mean shipping?',
        suspect: undefined,
        servicesInAnomaly: [],
        recentChanges: [],
        suggestions: ['Ask again with a catalogued service, or "is anything wrong?" for the whole estate'],
        unknownServices: [{ name: 'billing', suggestions: ['shipping'] }],
      }),
      { now: NOW },
    );
    const text = visibleText(unknown.blocks);
    expect(textsOf(unknown.blocks)[0]).toBe('*billing is not a catalogued service. Did you mean shipping?*');
    expect(text).not.toContain('Recent changes');
    expect(text).not.toMatch(/No anomalies/);
    expect(textsOf(unknown.blocks).at(-1)).toBe('Not investigated: the question names no catalogued service');
  });

  it('notes an unknown name beside an answer about the services that are catalogued', () => {
    const message = answerMessage(doneAnswer({ unknownServices: [{ name: 'paymnet', suggestions: ['payment'] }] }), { now: NOW });
    expect(textsOf(message.blocks)).toContain('❓ paymnet is not a catalogued service (did you mean payment?)');
    expect(message.text).toContain('paymnet is not a catalogued service (did you mean payment?)');
  });
});
