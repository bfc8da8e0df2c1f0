import { expect } from 'vitest';
import type { KnownBlock } from '../../../src/slack/blocks/limits.js';

/*
 * Minimal Block Kit validation, written from Slack's documented limits rather than from our
 * limits module, so a wrong constant there fails here.
 */

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions']);

interface TextObject {
  type: string;
  text: string;
}

function checkTextObject(value: unknown, where: string, maximum: number, allowed: readonly string[] = ['mrkdwn', 'plain_text']): TextObject {
  expect(value, `${where}: text object`).toBeTypeOf('object');
  const text = value as TextObject;
  expect(allowed, `${where}: text type ${text.type}`).toContain(text.type);
  expect(text.text, `${where}: text`).toBeTypeOf('string');
  expect(text.text.length, `${where}: text length`).toBeGreaterThan(0);
  expect(text.text.length, `${where}: text length`).toBeLessThanOrEqual(maximum);
  return text;
}

function checkButton(value: unknown, where: string): void {
  const button = value as { type: string; text: unknown; action_id?: string; value?: string; accessibility_label?: string };
  expect(button.type, where).toBe('button');
  checkTextObject(button.text, `${where} text`, 75, ['plain_text']);
  expect(button.action_id, `${where} action_id`).toBeTypeOf('string');
  expect(button.action_id!.length).toBeLessThanOrEqual(255);
  if (button.value !== undefined) expect(button.value.length).toBeLessThanOrEqual(2000);
  if (button.accessibility_label !== undefined) expect(button.accessibility_label.length).toBeLessThanOrEqual(75);
}

/** Checks every block's shape and Slack's limits; `maximumBlocks` is 50 for messages, 100 for Home. */
export function checkBlocks(blocks: readonly KnownBlock[], maximumBlocks: number): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(maximumBlocks);
  blocks.forEach((block, index) => {
    const where = `block ${index} (${block.type})`;
    expect(BLOCK_TYPES, where).toContain(block.type);
    switch (block.type) {
      case 'section': {
        expect(block.text !== undefined || block.fields !== undefined, `${where}: text or fields`).toBe(true);
        if (block.text) checkTextObject(block.text, where, 3000);
        if (block.fields) {
          expect(block.fields.length, `${where}: fields`).toBeLessThanOrEqual(10);
          block.fields.forEach((field, fieldIndex) => checkTextObject(field, `${where} field ${fieldIndex}`, 2000));
        }
        if (block.accessory) checkButton(block.accessory, `${where} accessory`);
        break;
      }
      case 'header':
        checkTextObject(block.text, where, 150, ['plain_text']);
        break;
      case 'context':
        expect(block.elements.length, `${where}: elements`).toBeGreaterThan(0);
        expect(block.elements.length, `${where}: elements`).toBeLessThanOrEqual(10);
        block.elements.forEach((element, elementIndex) => checkTextObject(element, `${where} element ${elementIndex}`, 3000));
        break;
      case 'actions':
        expect(block.elements.length).toBeLessThanOrEqual(25);
        block.elements.forEach((element, elementIndex) => checkButton(element, `${where} element ${elementIndex}`));
        break;
      default:
        break;
    }
  });
}

/** Checks a message's plain-text fallback: present, within 4,000 characters. */
export function checkFallback(text: string): void {
  expect(text.trim().length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(4000);
}

/** Every text a reader can see in the blocks, in order, one string per text object. */
export function textsOf(blocks: readonly KnownBlock[]): string[] {
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === 'section') {
      if (block.text) texts.push(block.text.text);
      for (const field of block.fields ?? []) texts.push(field.text);
      if (block.accessory && block.accessory.type === 'button') texts.push(block.accessory.text.text);
    } else if (block.type === 'header') {
      texts.push(block.text.text);
    } else if (block.type === 'context') {
      for (const element of block.elements) if ('text' in element) texts.push(element.text);
    }
  }
  return texts;
}

export function visibleText(blocks: readonly KnownBlock[]): string {
  return textsOf(blocks).join('\n');
}

/** Every button in section accessories and actions blocks. */
export function buttonsOf(blocks: readonly KnownBlock[]): Array<{ text: string; value?: string; actionId?: string; accessibilityLabel?: string }> {
  const found = [];
  for (const block of blocks) {
    const candidates = block.type === 'section' ? [block.accessory] : block.type === 'actions' ? block.elements : [];
    for (const candidate of candidates) {
      if (candidate?.type === 'button') {
        found.push({ text: candidate.text.text, value: candidate.value, actionId: candidate.action_id, accessibilityLabel: candidate.accessibility_label });
      }
    }
  }
  return found;
}

/** Raw Slack control sequences that would ping or link if derived text were not escaped. */
export function expectNoInjection(text: string): void {
  expect(text).not.toContain('<!channel>');
  expect(text).not.toContain('<!here>');
  expect(text).not.toContain('<@U');
  expect(text).not.toContain('<https://evil');
}
