import { readFileSync } from 'node:fs';

/** gdhttp's version, read from its package.json (one level above `src/` and `dist/`). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The User-Agent sent when the caller gives none (Godot sends `GodotEngine/<version> (<OS>)`). */
export const USER_AGENT = `gdhttp/${VERSION} (Node.js ${process.versions.node}; ${process.platform})`;
