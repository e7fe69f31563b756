#!/usr/bin/env node
// Builds native/shm.c into build/shm.node with the system C compiler ($CC or
// cc) and the Node-API headers of the node-api-headers package: no network,
// no node-gyp. Runs as the package's install script (npm install / npm ci)
// and before its tests. It never fails the install: when it cannot build, it
// prints one line, writes the reason to build/unavailable.txt and exits 0;
// the JS wrapper then throws ShmUnavailableError quoting that reason.
//
// PKTFABRIC_SHM_BUILD_DIR: build somewhere else (the tests use it).
// --force: rebuild even when build/shm.node is newer than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(pkg, 'native', 'shm.c');
const out = process.env.PKTFABRIC_SHM_BUILD_DIR || join(pkg, 'build');
const addon = join(out, 'shm.node');
const reasonFile = join(out, 'unavailable.txt');
const force = process.argv.includes('--force');

function unavailable(reason) {
  mkdirSync(out, { recursive: true });
  rmSync(addon, { force: true });
  writeFileSync(reasonFile, reason.trim() + '\n');
  console.log(
    `@pktfabric/shm: native addon not built (${reason.split('\n')[0].trim()}); shared regions between processes will be unavailable`,
  );
  process.exit(0);
}

function newest(...files) {
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

if (process.platform !== 'linux') {
  unavailable(`futex and POSIX shared memory need Linux; this is ${process.platform}`);
}
if (
  !force &&
  existsSync(addon) &&
  statSync(addon).mtimeMs >= newest(src, fileURLToPath(import.meta.url))
) {
  process.exit(0); // up to date
}

let include;
try {
  include = createRequire(join(pkg, 'package.json'))('node-api-headers').include_dir;
} catch (err) {
  unavailable(`the node-api-headers package is missing (${err.message})`);
}

const cc = process.env.CC || 'cc';
const tmp = join(out, `shm.node.${process.pid}.tmp`);
const args = [
  '-O2',
  '-fPIC',
  '-shared',
  '-std=gnu11',
  '-Wall',
  '-Wextra',
  '-fvisibility=hidden',
  '-DNODE_GYP_MODULE_NAME=shm',
  `-I${include}`,
  src,
  '-o',
  tmp,
  '-lpthread',
  '-lrt',
  '-lm',
];
mkdirSync(out, { recursive: true });
const r = spawnSync(cc, args, { encoding: 'utf8' });
if (r.error) {
  rmSync(tmp, { force: true });
  unavailable(
    r.error.code === 'ENOENT'
      ? `no C compiler: '${cc}' was not found (install one, e.g. gcc, or set CC)`
      : `could not run the C compiler '${cc}': ${r.error.message}`,
  );
}
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  unavailable(`the C compiler '${cc}' failed (exit ${r.status}):\n${r.stderr}`);
}
if (r.stderr.trim()) process.stderr.write(r.stderr);
renameSync(tmp, addon);
rmSync(reasonFile, { force: true });
console.log(`@pktfabric/shm: built ${addon}`);
