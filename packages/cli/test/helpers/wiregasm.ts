/**
 * The independent reader of the round-trip tests: Wireshark's dissection
 * engine compiled to WebAssembly (@goodtools/wiregasm, a devDependency).
 * Reads a file's frames back with their bytes and epoch timestamps (as
 * Wireshark prints them, to the ns), none of our parsing code involved.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WsFrame {
  /** `frame.time_epoch`, e.g. "1700000000.123456789". */
  epoch: string;
  bytes: Uint8Array;
}

export interface WsFile {
  fileType: string;
  frames: WsFrame[];
}

interface Wg {
  init(): void;
  FS: { writeFile(p: string, d: Uint8Array): void; unlink(p: string): void };
  DissectSession: new (p: string) => {
    load(): { code: number; error: string; summary: { file_type: string; packet_count: number } };
    getFrame(n: number): {
      data_sources: { size(): number; get(i: number): { data: string } };
      tree: { size(): number; get(i: number): Node };
    };
    delete(): void;
  };
}
interface Node {
  label: string;
  filter: string;
  tree: { size(): number; get(i: number): Node };
}

let wg: Promise<Wg> | null = null;

function load(): Promise<Wg> {
  wg ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@goodtools/wiregasm/package.json')), 'dist');
    const mod = (await import(pathToFileURL(join(dir, 'wiregasm.js')).href)) as {
      default: (o: object) => Promise<Wg>;
    };
    const w = await mod.default({
      locateFile: (p: string) => join(dir, p),
      print: () => {},
      printErr: () => {},
    });
    w.init();
    return w;
  })();
  return wg;
}

let n = 0;

/** Reads `bytes` as a capture file with Wireshark; throws when it cannot. */
export async function wiresharkRead(bytes: Uint8Array): Promise<WsFile> {
  const w = await load();
  const path = `/uploads/t${n++}`;
  w.FS.writeFile(path, bytes);
  const s = new w.DissectSession(path);
  try {
    const r = s.load();
    if (r.code !== 0) throw new Error(`wiregasm could not load the file: ${r.error}`);
    const frames: WsFrame[] = [];
    for (let i = 1; i <= r.summary.packet_count; i++) {
      const f = s.getFrame(i);
      const top = f.tree.get(0);
      let epoch = '';
      for (let k = 0; k < top.tree.size(); k++) {
        const c = top.tree.get(k);
        const m = /^frame\.time_epoch == (\S+)$/.exec(c.filter);
        if (m !== null) epoch = m[1]!;
      }
      frames.push({
        epoch,
        bytes: new Uint8Array(Buffer.from(f.data_sources.get(0).data, 'base64')),
      });
    }
    return { fileType: r.summary.file_type, frames };
  } finally {
    s.delete();
    w.FS.unlink(path);
  }
}

/** ns since the epoch as Wireshark prints it: seconds, a point, nine digits. */
export function epochString(tsNs: bigint): string {
  const s = tsNs / 1_000_000_000n;
  const f = tsNs % 1_000_000_000n;
  return `${s}.${f.toString().padStart(9, '0')}`;
}
