// Child process of the crash test: opens a store, says "ready", runs one operation, says "done".
// Usage: node --import tsx crashchild.testkit.ts ROOT OP   (DVOL_CRASH_AT may name a crash point)

import type { Store } from './model.js';
import { openStore } from './store.js';
import { AUTHOR } from './store.testkit.js';

/** The operations the crash test interrupts; most act on volume 'vol'. */
export const OPS = {
  commit: (s) => s.volume('vol').commit({ message: 'after', author: AUTHOR }),
  reset: (s) => s.volume('vol').reset('HEAD~1', { hard: true }),
  'checkout-b': (s) => s.volume('vol').createBranch('new'),
  'branch-d': (s) => s.volume('vol').deleteBranch('side', { force: true }),
  'commit-rm': (s) => s.volume('vol').deleteCommitData('HEAD^'),
  create: (s) => s.createVolume('vol2'),
  rm: (s) => s.removeVolume('vol'),
  snapshot: (s) => s.volume('vol').snapshot({ message: 'scheduled', author: AUTHOR, date: new Date() }),
  prune: (s) => s.volume('vol').pruneSnapshots({ rules: [], keepLast: 1 }, Date.now()),
} satisfies Record<string, (store: Store) => Promise<unknown>>;

export type Op = keyof typeof OPS;

async function main(root: string, op: Op): Promise<void> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  process.stdout.write('ready\n');
  await OPS[op](store);
  await store.close();
  process.stdout.write('done\n');
}

const [root, op] = process.argv.slice(2);
if (root && op && op in OPS) {
  await main(root, op as Op);
} else {
  process.stderr.write(`usage: crashchild ROOT (${Object.keys(OPS).join('|')})\n`);
  process.exitCode = 2;
}
