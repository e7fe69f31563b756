/**
 * URL of a worker script that sits next to the calling module once built.
 * Workers cannot load TypeScript on Node 20, so when the caller runs from
 * source (vitest, `src/x.ts`) this points at the built copy under
 * `dist/src/`. Run `npx tsc -p tsconfig.build.json` before using it from
 * source. (A private copy of the examples package's helper.)
 */
export function builtSibling(metaUrl: string, file: string): URL {
  const url = new URL(file, metaUrl);
  if (metaUrl.endsWith('.ts')) {
    const i = url.pathname.lastIndexOf('/src/');
    if (i >= 0) url.pathname = `${url.pathname.slice(0, i)}/dist${url.pathname.slice(i)}`;
  }
  return url;
}
