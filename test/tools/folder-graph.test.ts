import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderCycles, folderEdges, layerProblems } from '../../tools/folder-graph.js';

describe('the folder import graph check', () => {
  const root = mkdtempSync(join(tmpdir(), 'aiops-folders-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('finds a cycle between folders, through value, type and dynamic imports, and none in a layered tree', () => {
    write('errors.ts', 'export const x = 1;\n');
    write('cli.ts', "const command = await import('./commands/start.js');\n");
    write('commands/start.ts', "import { y } from '../state/store.js';\n");
    write('state/store.ts', "import type { Alert } from '../alerts/alert.js';\nimport { x } from '../errors.js';\nexport const y = x;\n");
    write('alerts/alert.ts', "export type Alert = { id: string };\n");
    expect(folderCycles(folderEdges(root))).toEqual([]);
    expect(folderEdges(root).map((edge) => `${edge.from}>${edge.to}`)).toEqual(['(entry)>commands', 'commands>state', 'state>(root)', 'state>alerts']);

    write('alerts/uses-state.ts', "export { y } from '../state/store.js';\n");
    expect(folderCycles(folderEdges(root))).toEqual([['alerts', 'state']]);
  });

  it('refuses an import up the layers, and a folder no layer names, even without a cycle', () => {
    const tree = mkdtempSync(join(tmpdir(), 'aiops-layers-'));
    try {
      const put = (path: string, text: string) => {
        mkdirSync(dirname(join(tree, path)), { recursive: true });
        writeFileSync(join(tree, path), text);
      };
      put('alerts/alert.ts', 'export type Alert = { id: string };\n');
      put('state/store.ts', "import type { Alert } from '../alerts/alert.js';\nexport const y = 1;\n");
      expect(layerProblems(folderEdges(tree))).toEqual([]);

      put('detection/uses-state.ts', "export { y } from '../state/store.js';\n");
      put('gadgets/thing.ts', "import type { Alert } from '../alerts/alert.js';\n");
      expect(folderCycles(folderEdges(tree))).toEqual([]);
      expect(layerProblems(folderEdges(tree))).toEqual([
        'src/gadgets: in no layer; place it in LAYERS in tools/folder-graph.ts',
        'src/: detection imports state, a higher layer: detection/uses-state.ts -> state/store.js',
      ]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
