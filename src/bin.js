#!/usr/bin/env node
// The `aiops` executable: runs the TypeScript entry point through tsx, a runtime dependency.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
