/**
 * The folder-level import graph of src/, its cycles, and the layers it must respect. `npm run lint`
 * runs it: a cycle between folders, or an import reaching up from a lower layer to a higher one,
 * fails with the imports at fault, so the layering (foundation files at the root, pure algorithms,
 * sources, state, the agent, use cases, transports, wiring) cannot erode one import at a time.
 *
 *   npm run -s lint:folders [-- --print]
 *
 * A folder is the first path segment under src/; files directly in src/ form the foundation,
 * `(root)`, except the entry points, which sit above everything as `(entry)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_ROOT = fileURLToPath(new URL('../src', import.meta.url));
const ENTRY_FILES = new Set(['main.ts', 'cli.ts', 'bin.js']);
const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+['"](\.[^'"]+)['"]/gm;

/**
 * The layers, lowest first. A folder imports from its own layer or those below, never above; within
 * a layer the cycle check keeps the imports one way. A new folder is placed here when it is made
 * (the GUIDE's map says where the next rooms go).
 */
export const LAYERS: readonly (readonly string[])[] = [
  // Foundation: config, errors, logger, catalogue, and the vocabulary everything shares (signals, severities).
  ['(root)'],
  // Pure algorithms: arrays in, results out; no Redis, no HTTP, no clock. access/ decides who may act over an injected group directory.
  ['rca', 'forecast', 'detection', 'logs', 'alerts', 'access'],
  // The outside world behind interfaces (backends, the simulated world, pagers), and instrumentation.
  ['sources', 'paging', 'telemetry', 'charts'],
  // Redis, behind typed stores; PostgreSQL, the history copied from them.
  ['state', 'history'],
  // Remediation actions: checked against the live target, previewed, run through the Cluster interface.
  ['healing'],
  // The LLM agent and its read-only tools.
  ['agent'],
  // Use cases: answering questions, and the incident path every transport calls.
  ['investigation', 'incidents'],
  // Transports: workers, webhooks and the HTTP API, Slack.
  ['jobs', 'http', 'slack'],
  // Wiring of the roles and the offline commands.
  ['commands'],
  ['(entry)'],
];

export interface FolderEdge {
  from: string;
  to: string;
  /** `file -> imported file`, relative to src/. */
  imports: string[];
}

export function folderOf(relativePath: string): string {
  const parts = relativePath.split(sep);
  if (parts.length > 1) return parts[0]!;
  return ENTRY_FILES.has(parts[0]!) ? '(entry)' : '(root)';
}

export function folderEdges(sourceRoot: string = SOURCE_ROOT): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(join(sourceRoot, file), 'utf8');
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      const target = relative(sourceRoot, normalize(join(sourceRoot, dirname(file), specifier)));
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const key = `${from}\0${to}`;
      const edge = edges.get(key) ?? { from, to, imports: [] };
      edge.imports.push(`${file} -> ${target}`);
      edges.set(key, edge);
    }
  }
  return [...edges.values()].sort((left, right) => left.from.localeCompare(right.from) || left.to.localeCompare(right.to));
}

/** Strongly connected components with more than one folder (Tarjan): each is a cycle to break. */
export function folderCycles(edges: readonly FolderEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const nodes = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/**
 * Imports that go against the layers: up from a lower layer to a higher one, or from or to a folder
 * no layer names. One line each, with the imports at fault.
 */
export function layerProblems(edges: readonly FolderEdge[], layers: readonly (readonly string[])[] = LAYERS): string[] {
  const layerOf = (folder: string) => layers.findIndex((layer) => layer.includes(folder));
  const problems: string[] = [];
  const unplaced = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].filter((folder) => layerOf(folder) < 0).sort();
  for (const folder of unplaced) problems.push(`src/${folder}: in no layer; place it in LAYERS in tools/folder-graph.ts`);
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from < 0 || to < 0 || to <= from) continue;
    problems.push(`src/: ${edge.from} imports ${edge.to}, a higher layer: ${describeImports(edge)}`);
  }
  return problems;
}

function describeImports(edge: FolderEdge): string {
  return `${edge.imports.slice(0, 3).join('; ')}${edge.imports.length > 3 ? `; … ${edge.imports.length - 3} more` : ''}`;
}

function sourceFiles(sourceRoot: string, folder = ''): string[] {
  return readdirSync(join(sourceRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(sourceRoot, path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const edges = folderEdges();
  const cycles = folderCycles(edges);
  if (process.argv.includes('--print')) for (const edge of edges) console.log(`${edge.from} -> ${edge.to} (${edge.imports.length})`);
  for (const cycle of cycles) {
    const members = new Set(cycle);
    console.error(`src/: the folders ${cycle.join(', ')} import each other in a cycle; the imports inside it:`);
    for (const edge of edges.filter((candidate) => members.has(candidate.from) && members.has(candidate.to))) {
      console.error(`  ${edge.from} -> ${edge.to}: ${describeImports(edge)}`);
    }
  }
  const problems = layerProblems(edges);
  for (const problem of problems) console.error(problem);
  process.exitCode = cycles.length > 0 || problems.length > 0 ? 1 : 0;
}
