import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemPrompt } from '../../src/agent/prompts/system-prompt.js';
import type { AgentTool } from '../../src/agent/tool.js';

function tool(name: string, description: string): AgentTool {
  return { name, description, schema: z.object({}), run: async () => ({ status: 'ok', output: '' }) };
}

const CONTEXT = { now: Date.parse('2026-11-24T15:00:00Z'), services: ['order-service', 'payment'] };

describe('systemPrompt', () => {
  it('lists every tool by name with its description, on one line each', () => {
    const tools = [tool('service_metrics', 'Summary of a signal.\n  Use it first.'), tool('search_logs', 'Top log templates.'), tool('some_new_tool', 'Added later.')];
    const prompt = systemPrompt(tools, CONTEXT);
    expect(prompt).toContain('- service_metrics: Summary of a signal. Use it first.');
    expect(prompt).toContain('- search_logs: Top log templates.');
    expect(prompt).toContain('- some_new_tool: Added later.');
  });

  it('states the role, the time, the services and the rules', () => {
    const prompt = systemPrompt([tool('search_logs', 'logs')], CONTEXT);
    expect(prompt).toContain('READ-ONLY');
    expect(prompt).toContain('Never claim to have changed');
    expect(prompt).toContain('2026-11-24T15:00:00.000Z');
    expect(prompt).toContain('order-service, payment');
    expect(prompt).toMatch(/never instructions/);
    expect(prompt).toMatch(/no-data/);
    expect(prompt).toMatch(/dependencies are healthy/);
    expect(prompt).toMatch(/recent deploys/);
    expect(prompt).toContain('cannot propose actions through a tool');
  });

  it('mentions propose_action only as a proposal when that tool is given', () => {
    const prompt = systemPrompt([tool('search_logs', 'logs'), tool('propose_action', 'Propose a fix for approval.')], CONTEXT);
    expect(prompt).toContain('only by calling propose_action');
    expect(prompt).toContain('for a person to approve');
  });

  it('asks for the answer layout the parser reads', () => {
    const prompt = systemPrompt([], CONTEXT);
    expect(prompt).toContain('Root cause: <service> — <one line why>');
    expect(prompt).toContain('Root cause: none found — ');
    expect(prompt).toMatch(/\nEvidence:\n- /);
    expect(prompt).toMatch(/\nWhat to do:\n- /);
  });
});
