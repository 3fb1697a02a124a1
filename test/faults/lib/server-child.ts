// A standalone dvol server in a process of its own, started from the tree (src/server/main.ts
// start()), so a test can measure its memory and watch what it logs. Prints `ready` once both
// sockets listen; stops cleanly on SIGTERM.
import { start } from '../../../src/server/main.js';
import type { ServerConfig } from '../../../src/server/config.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const running = await start(config);
await running.ready;
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
