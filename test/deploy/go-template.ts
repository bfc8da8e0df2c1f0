import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { asArray, type Json } from './json-shapes.js';

/**
 * Helm's template language, as much of it as this chart uses, to render the chart here (no helm
 * binary): Go text/template's actions (if, else if, else, with, range, define, variables,
 * pipelines, parentheses, comments, {{- and -}}) and the Sprig and Helm functions the templates
 * call. A function or action the chart starts using that this lacks fails the render, naming it.
 */
type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'function'; name: string }
  | { kind: 'field'; base: { dot: true } | { variable: string } | { pipeline: Pipeline }; path: string[] };

interface Pipeline {
  declare?: { names: string[]; assign: boolean };
  commands: Operand[][];
}

type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipeline: Pipeline; then: TemplateNode[]; otherwise: TemplateNode[] };

/** Template text and actions, with {{- and -}} already applied to the text. */
function lexTemplate(source: string): ({ text: string } | { action: string })[] {
  const parts: ({ text: string } | { action: string })[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open < 0) {
      parts.push({ text: source.slice(position) });
      break;
    }
    let text = source.slice(position, open);
    let start = open + 2;
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.trimEnd();
      start += 1;
    }
    parts.push({ text });
    let end: number;
    if (source.slice(start).trimStart().startsWith('/*')) {
      end = source.indexOf('}}', source.indexOf('*/', start) + 2);
    } else {
      end = start;
      let quote = '';
      for (; end < source.length; end += 1) {
        const character = source[end];
        if (quote) {
          if (character === '\\' && quote === '"') end += 1;
          else if (character === quote) quote = '';
        } else if (character === '"' || character === '`') quote = character;
        else if (source.startsWith('}}', end)) break;
      }
    }
    if (end < 0 || end >= source.length) throw new Error(`unclosed action at ${open}`);
    let body = source.slice(start, end);
    const trimAfter = /\s-$/.test(body);
    if (trimAfter) body = body.slice(0, -1);
    parts.push({ action: body.trim() });
    position = end + 2;
    if (trimAfter) while (position < source.length && /\s/.test(source[position] ?? '')) position += 1;
  }
  return parts;
}

function tokenizeAction(action: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|:=|[()|,=]|[^\s()|,=]+)/gy;
  let consumed = 0;
  for (let match = pattern.exec(action); match; match = pattern.exec(action)) {
    tokens.push(match[1] ?? '');
    consumed = pattern.lastIndex;
  }
  if (action.slice(consumed).trim()) throw new Error(`cannot read action {{ ${action} }}`);
  return tokens;
}

function parsePipelineTokens(tokens: string[], from = 0, closing?: string): { pipeline: Pipeline; next: number } {
  let position = from;
  let declare: Pipeline['declare'];
  const names: string[] = [];
  let look = position;
  while (tokens[look]?.startsWith('$')) {
    names.push(tokens[look] ?? '');
    if (tokens[look + 1] === ',') look += 2;
    else break;
  }
  if (names.length > 0 && (tokens[look + 1] === ':=' || tokens[look + 1] === '=')) {
    declare = { names, assign: tokens[look + 1] === '=' };
    position = look + 2;
  }
  const commands: Operand[][] = [[]];
  while (position < tokens.length && tokens[position] !== closing) {
    const token = tokens[position] ?? '';
    position += 1;
    if (token === '|') {
      commands.push([]);
      continue;
    }
    let operand: Operand;
    if (token === '(') {
      const inner = parsePipelineTokens(tokens, position, ')');
      position = inner.next + 1;
      operand = { kind: 'field', base: { pipeline: inner.pipeline }, path: [] };
    } else if (token.startsWith('"')) operand = { kind: 'literal', value: JSON.parse(token) as string };
    else if (token.startsWith('`')) operand = { kind: 'literal', value: token.slice(1, -1) };
    else if (/^-?\d+(\.\d+)?$/.test(token)) operand = { kind: 'literal', value: Number(token) };
    else if (token === 'true' || token === 'false') operand = { kind: 'literal', value: token === 'true' };
    else if (token === 'nil') operand = { kind: 'literal', value: undefined };
    else if (token.startsWith('.')) operand = { kind: 'field', base: { dot: true }, path: token.split('.').filter(Boolean) };
    else if (token.startsWith('$')) {
      const [variable = '', ...path] = token.split('.');
      operand = { kind: 'field', base: { variable }, path };
    } else if (/^[A-Za-z_]\w*$/.test(token)) operand = { kind: 'function', name: token };
    else throw new Error(`unexpected "${token}" in a pipeline`);
    commands.at(-1)?.push(operand);
  }
  if (commands.some((command) => command.length === 0)) throw new Error(`empty command in a pipeline: ${tokens.join(' ')}`);
  return { pipeline: { declare, commands }, next: position };
}

function parsePipeline(text: string): Pipeline {
  const tokens = tokenizeAction(text);
  const { pipeline, next } = parsePipelineTokens(tokens);
  if (next !== tokens.length) throw new Error(`unexpected ")" in {{ ${text} }}`);
  return pipeline;
}

/** Parses a template, adding what it defines to `defines`. */
export function parseTemplate(source: string, defines: Map<string, TemplateNode[]>): TemplateNode[] {
  const parts = lexTemplate(source);
  let index = 0;
  const list = (): { nodes: TemplateNode[]; end: string } => {
    const nodes: TemplateNode[] = [];
    while (index < parts.length) {
      const part = parts[index] ?? { text: '' };
      index += 1;
      if ('text' in part) {
        if (part.text) nodes.push({ kind: 'text', text: part.text });
        continue;
      }
      const { action } = part;
      if (action.startsWith('/*')) continue;
      const keyword = action.split(/\s+/)[0] ?? '';
      const rest = action.slice(keyword.length).trim();
      if (keyword === 'end' || keyword === 'else') return { nodes, end: action };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') nodes.push(block(keyword, rest));
      else if (keyword === 'define') {
        const body = list();
        if (body.end !== 'end') throw new Error(`define ${rest} is not closed`);
        defines.set(JSON.parse(rest) as string, body.nodes);
      } else if (['template', 'block', 'break', 'continue'].includes(keyword)) throw new Error(`{{ ${keyword} }} is not supported here`);
      else nodes.push({ kind: 'action', pipeline: parsePipeline(action) });
    }
    return { nodes, end: '' };
  };
  const block = (kind: 'if' | 'with' | 'range', rest: string): TemplateNode => {
    const pipeline = parsePipeline(rest);
    const body = list();
    let otherwise: TemplateNode[] = [];
    if (body.end === 'else') {
      const tail = list();
      if (tail.end !== 'end') throw new Error(`${kind} ${rest}: else is not closed`);
      otherwise = tail.nodes;
    } else if (body.end.startsWith('else ')) {
      // `else if x` (or `else with x`): a nested block that ends at this block's end.
      const chained = body.end.slice(5).trim();
      const chainedKind = chained.split(/\s+/)[0] ?? '';
      if (chainedKind !== 'if' && chainedKind !== 'with') throw new Error(`unexpected {{ ${body.end} }}`);
      otherwise = [block(chainedKind, chained.slice(chainedKind.length).trim())];
    } else if (body.end !== 'end') throw new Error(`${kind} ${rest} is not closed`);
    return { kind, pipeline, then: body.nodes, otherwise };
  };
  const { nodes, end } = list();
  if (end) throw new Error(`unexpected {{ ${end} }}`);
  return nodes;
}

export class HelmFailure extends Error {}

const isTruthy = (value: unknown): boolean =>
  !(value === undefined || value === null || value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0));

function goKind(value: unknown): string {
  if (value === undefined || value === null) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'map' : typeof value;
}

function goPrint(value: unknown): string {
  // Helm prints a missing value as "" (not Go's "<no value>").
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`printing ${JSON.stringify(value)}: not supported here`);
}

const NO_VALUE = Symbol('no piped value');

class Scope {
  private readonly variables = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: unknown) {
    this.variables.set(name, value);
  }
  assign(name: string, value: unknown) {
    if (this.variables.has(name)) this.variables.set(name, value);
    else if (this.parent) this.parent.assign(name, value);
    else throw new Error(`undefined variable ${name}`);
  }
  get(name: string): unknown {
    if (this.variables.has(name)) return this.variables.get(name);
    if (this.parent) return this.parent.get(name);
    throw new Error(`undefined variable ${name}`);
  }
}

type TemplateFunction = (...args: unknown[]) => unknown;
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

export class TemplateEngine {
  readonly defines = new Map<string, TemplateNode[]>();
  private readonly functions: Record<string, TemplateFunction> = {
    include: (name, data) => this.include(String(name), data),
    required: (message, value) => {
      if (value === undefined || value === null || value === '') throw new HelmFailure(String(message));
      return value;
    },
    fail: (message) => {
      throw new HelmFailure(String(message));
    },
    default: (fallback, ...given) => (given.length > 0 && isTruthy(given[0]) ? given[0] : fallback),
    empty: (value) => !isTruthy(value),
    not: (value) => !isTruthy(value),
    and: (...args) => args.find((arg) => !isTruthy(arg)) ?? args.at(-1),
    or: (...args) => args.find((arg) => isTruthy(arg)) ?? args.at(-1),
    eq: (value, ...others) => others.some((other) => other === value),
    ne: (left, right) => left !== right,
    gt: (left, right) => Number(left) > Number(right),
    lt: (left, right) => Number(left) < Number(right),
    int: (value) => Math.trunc(Number(value ?? 0)),
    toString: (value: unknown) => text(value),
    quote: (...args) => args.filter((arg) => arg !== undefined && arg !== null).map((arg) => JSON.stringify(String(arg))).join(' '),
    trim: (value) => text(value).trim(),
    trunc: (length, value) => text(value).slice(0, Number(length)),
    trimSuffix: (suffix, value) => (suffix && text(value).endsWith(String(suffix)) ? text(value).slice(0, -String(suffix).length) : text(value)),
    contains: (part, value) => text(value).includes(String(part)),
    replace: (old, replacement, value) => text(value).split(String(old)).join(String(replacement)),
    printf: (format, ...args) => {
      let next = 0;
      return String(format).replace(/%[sdvq%]/g, (verb) => (verb === '%%' ? '%' : verb === '%q' ? JSON.stringify(text(args[next++])) : text(args[next++])));
    },
    print: (...args) => args.map((arg, index) => (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string' ? ' ' : '') + text(arg)).join(''),
    indent: (width, value) => text(value).split('\n').map((line) => ' '.repeat(Number(width)) + line).join('\n'),
    nindent: (width, value) => `\n${String(this.functions.indent?.(width, value))}`,
    toYaml: (value) => stringify(value ?? null, { sortMapEntries: true }).replace(/\n$/, ''),
    toJson: (value) => JSON.stringify(value ?? null),
    fromJsonArray: (value) => {
      const parsed = JSON.parse(text(value)) as unknown;
      if (!Array.isArray(parsed)) throw new Error(`fromJsonArray: ${text(value)} is not an array`);
      return parsed;
    },
    list: (...args) => args,
    compact: (values) => asArray(values).filter(isTruthy),
    uniq: (values) => [...new Set(asArray(values))],
    join: (separator, values) => asArray(values).map(text).join(String(separator)),
    dict: (...args) => Object.fromEntries(args.flatMap((arg, index) => (index % 2 === 0 ? [[String(arg), args[index + 1]]] : []))),
    dir: (value) => posix.dirname(text(value)),
    sha256sum: (value) => createHash('sha256').update(text(value)).digest('hex'),
    kindIs: (kind, value) => goKind(value) === kind,
  };

  include(name: string, data: unknown): string {
    const nodes = this.defines.get(name);
    if (!nodes) throw new Error(`no template "${name}"`);
    const scope = new Scope();
    scope.declare('$', data);
    const out: string[] = [];
    this.execute(nodes, data, scope, out);
    return out.join('');
  }

  private execute(nodes: TemplateNode[], dot: unknown, scope: Scope, out: string[]) {
    for (const node of nodes) {
      if (node.kind === 'text') out.push(node.text);
      else if (node.kind === 'action') {
        const value = this.pipeline(node.pipeline, dot, scope);
        if (!node.pipeline.declare) out.push(goPrint(value));
      } else if (node.kind === 'range') {
        const { declare, ...pipeline } = node.pipeline;
        const value = this.pipeline(pipeline, dot, scope);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : value && typeof value === 'object'
            ? Object.keys(value).sort().map((key) => [key, (value as Json)[key]])
            : [];
        if (value !== undefined && value !== null && typeof value !== 'object') throw new Error(`range over ${goKind(value)}`);
        if (entries.length === 0) this.execute(node.otherwise, dot, new Scope(scope), out);
        for (const [key, item] of entries) {
          const inner = new Scope(scope);
          if (declare?.names.length === 1) inner.declare(declare.names[0] ?? '', item);
          if (declare?.names.length === 2) {
            inner.declare(declare.names[0] ?? '', key);
            inner.declare(declare.names[1] ?? '', item);
          }
          this.execute(node.then, item, inner, out);
        }
      } else {
        const inner = new Scope(scope);
        const value = this.pipeline(node.pipeline, dot, inner);
        if (isTruthy(value)) this.execute(node.then, node.kind === 'with' ? value : dot, inner, out);
        else this.execute(node.otherwise, dot, new Scope(scope), out);
      }
    }
  }

  private pipeline(pipeline: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown = NO_VALUE;
    for (const command of pipeline.commands) value = this.command(command, dot, scope, value);
    if (pipeline.declare) {
      const name = pipeline.declare.names[0] ?? '';
      if (pipeline.declare.assign) scope.assign(name, value);
      else scope.declare(name, value);
    }
    return value;
  }

  private command(command: Operand[], dot: unknown, scope: Scope, piped: unknown): unknown {
    const [first, ...rest] = command;
    const args = () => [...rest.map((operand) => this.operand(operand, dot, scope)), ...(piped === NO_VALUE ? [] : [piped])];
    if (first?.kind === 'function') {
      const fn = Object.hasOwn(this.functions, first.name) ? this.functions[first.name] : undefined;
      if (!fn) throw new Error(`function "${first.name}" is not supported here`);
      return fn(...args());
    }
    const value = first ? this.operand(first, dot, scope) : undefined;
    if (typeof value === 'function') return (value as TemplateFunction)(...args());
    if (rest.length > 0 || piped !== NO_VALUE) throw new Error('arguments given to a value that is not a function');
    return value;
  }

  private operand(operand: Operand, dot: unknown, scope: Scope): unknown {
    if (operand.kind === 'literal') return operand.value;
    if (operand.kind === 'function') return this.command([operand], dot, scope, NO_VALUE);
    const { base } = operand;
    let value = 'dot' in base ? dot : 'variable' in base ? scope.get(base.variable) : this.pipeline(base.pipeline, dot, scope);
    for (const key of operand.path) {
      // As in Go: a missing key is nothing, a field of nothing an error (a mistyped values path).
      if (value === undefined || value === null) throw new Error(`nil pointer evaluating .${operand.path.join('.')}`);
      if (typeof value !== 'object') throw new Error(`can't evaluate field ${key} in ${goKind(value)}`);
      value = (value as Json)[key];
    }
    return value;
  }
}
