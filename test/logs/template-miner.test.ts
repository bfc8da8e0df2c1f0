import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/logs/template-miner.js';

describe('TemplateMiner', () => {
  it('merges variants into one template with a stable id, and generalises the positions that differ', () => {
    const miner = new TemplateMiner();
    const first = miner.add('Starting task for account alice-1');
    expect(first).toEqual({ templateId: 'T1', template: 'Starting task for account alice-<*>', isNew: true });
    const second = miner.add('Starting task for account bob-22');
    expect(second).toEqual({ templateId: 'T1', template: 'Starting task for account <*>', isNew: false });
    expect(miner.add('Starting task for account 7')).toMatchObject({ templateId: 'T1', isNew: false });
    expect(miner.templates()).toEqual([{ id: 'T1', template: 'Starting task for account <*>', count: 3, example: 'Starting task for account alice-1' }]);
  });

  it('keeps events apart when a plain word differs', () => {
    const miner = new TemplateMiner();
    const started = miner.add('[instance: 17288ea8-cbf4-4f0e-94fe-853fd2735f29] VM Started (Lifecycle Event)');
    const paused = miner.add('[instance: 27288ea8-cbf4-4f0e-94fe-853fd2735f29] VM Paused (Lifecycle Event)');
    expect(paused.templateId).not.toBe(started.templateId);
    expect(started.template).toBe('[instance: <*>] VM Started (Lifecycle Event)');
  });

  it('match() finds the template without learning', () => {
    const miner = new TemplateMiner();
    miner.add('Took 12ms to load 3 files');
    expect(miner.match('Took 40ms to load 9 files')).toEqual({ templateId: 'T1', template: 'Took <*> to load <*> files', isNew: false });
    expect(miner.match('something else entirely')).toBeUndefined();
    expect(miner.templates()[0]?.count).toBe(1);
  });

  it('holds at most maximumTemplates, evicting rare old ones and keeping frequent ones', () => {
    const miner = new TemplateMiner({ maximumTemplates: 5 });
    for (let index = 0; index < 20; index += 1) miner.add('heartbeat from scheduler ok');
    for (let index = 0; index < 200; index += 1) {
      miner.add(`unique${String.fromCharCode(97 + (index % 26))}${String.fromCharCode(97 + Math.floor(index / 26))} event happened`);
      expect(miner.templates().length).toBeLessThanOrEqual(5);
    }
    miner.add('heartbeat from scheduler ok');
    expect(miner.templates().find((template) => template.template === 'heartbeat from scheduler ok')?.count).toBeGreaterThanOrEqual(20);
  });

  it('saves and restores: a restored miner gives the same ids to the same lines and carries on numbering', () => {
    const lines = ['user alice logged in from 10.0.0.1', 'disk /dev/sda1 is 91% full', 'user bob logged in from 10.0.0.2', 'cache miss for key 42'];
    const original = new TemplateMiner();
    lines.forEach((line) => original.add(line));
    const state = JSON.parse(JSON.stringify(original.toJSON()));
    const restored = TemplateMiner.fromJSON(state);
    expect(restored.templates()).toEqual(original.templates());
    for (const line of [...lines, 'a brand new line']) expect(restored.add(line)).toEqual(original.add(line));
  });

  it('refuses bad options', () => {
    expect(() => new TemplateMiner({ similarityThreshold: 2 })).toThrow(/similarityThreshold/);
    expect(() => new TemplateMiner({ maximumTemplates: 0 })).toThrow(/maximumTemplates/);
  });
});
