// Child process of the crash test: opens a store, says "ready", runs one operation, says "done".
// Usage: node --import tsx crashchild.testkit.ts ROOT OP   (DVOL_CRASH_AT may name a crash point)

import { openStore } from './store.js';
import { AUTHOR } from './store.testkit.js';

/** The operations the crash test interrupts, on volume 'vol'. */
export const OPS = {
  commit: (vol) => vol.commit({ message: 'after', author: AUTHOR }),
  reset: (vol) => vol.reset('HEAD~1', { hard: true }),
  'checkout-b': (vol) => vol.createBranch('new'),
} satisfies Record<string, (vol: import('./model.js').Volume) => Promise<unknown>>;

async function main(root: string, op: keyof typeof OPS): Promise<void> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  process.stdout.write('ready\n');
  await OPS[op](store.volume('vol'));
  await store.close();
  process.stdout.write('done\n');
}

const [root, op] = process.argv.slice(2);
if (root && op && op in OPS) {
  await main(root, op as keyof typeof OPS);
} else {
  process.stderr.write(`usage: crashchild ROOT (${Object.keys(OPS).join('|')})\n`);
  process.exitCode = 2;
}
