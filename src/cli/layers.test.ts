// The CLI is only a client of the plugin's HTTP API: it never imports server code, and from storage
// and the API definition (src/api) only types (`import type`), so nothing of the store runs in the
// CLI process and every answer it reads is typed by the API's route table.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';

const root = new URL('.', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested
    .flat()
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testkit.ts'));
}

t.test('src/cli imports storage and API types only, and nothing of the server', async (t) => {
  const files = await sources(root);
  t.ok(files.length > 10, `${files.length} CLI modules checked`);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const imports = [...text.matchAll(/^import (type )?[^;]*? from '([^']+)';/gm)];
    for (const [line, isType, from = ''] of imports) {
      t.notMatch(from, /\/server\//, `${file}: ${line}`);
      // One named exception: the docker credential lookup, which reads the user's own files.
      const allowed =
        file.endsWith('/cli/credentials.ts') && from.endsWith('/remotes/registry/credentials.js');
      if (from.includes('/storage/') && !allowed) {
        t.ok(isType, `${file}: storage import is type-only: ${line}`);
      }
      if (from.includes('/api/')) t.ok(isType, `${file}: API import is type-only: ${line}`);
    }
  }
});
