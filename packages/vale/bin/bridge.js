#!/usr/bin/env node
// The bridge command: runs the built CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/tools/bridge.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error(
    `bridge: ${fileURLToPath(cli)} is missing; run \`npm run build\` at the repository root`,
  );
  process.exit(1);
}
await import(cli.href);
