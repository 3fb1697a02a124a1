// reset and checkout stop the containers using a volume cleanly and start them again: the fixture app
// (test/e2e/fixtures/app) keeps a counter in memory and writes it to the volume only on SIGTERM. Its
// log and StartedAt show it was stopped (it saved), restarted, and loaded the data of the ref.
import t from 'tap';
import { docker } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { runDetached, runOnce } from './lib/resources.js';
import { waitFor } from './lib/wait.js';
import {
  appImage,
  containerFile,
  dockerGroupUser,
  dvol,
  dvolOk,
  fsckClean,
  logLines,
  setAuthor,
  startedAt,
} from './fixtures/dvol.js';

const busybox = await busyboxImage();
const app = await appImage();
await waitForPlugin();

t.test('reset and checkout restart the app on the data of the ref', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = uniqueName('app_data');
  t.equal(await dvolOk(t, 'init', volume), `Created empty volume ${volume}.\n`);
  await runOnce([
    '-v',
    `${volume}:/data`,
    '--volume-driver=dvol',
    busybox,
    'sh',
    '-c',
    'echo 5 > /data/counter',
  ]);
  await dvolOk(t, 'commit', '-m', 'counter 5', volume);
  await fsckClean(t, 'after the first commit');

  const ctr = await runDetached(t, ['-v', `${volume}:/data`, '--volume-driver=dvol', app]);
  t.teardown(async () => {
    await docker('rm', '-f', ctr).catch(() => undefined);
    await dvol('rm', '-f', volume);
  });
  /** Waits for the app's log to end with `line`. */
  const logged = (line: string) =>
    waitFor(`the app to log '${line}'`, async () => (await logLines(ctr)).at(-1) === line);
  const bump = async (times: number, to: number) => {
    for (let i = 0; i < times; i++) await docker('kill', '-s', 'USR1', ctr);
    await logged(`counter ${to}`);
  };
  await logged('loaded 5');

  // reset --hard HEAD: the app saves 7 on SIGTERM, the reset discards it, the app loads 5 again.
  await bump(2, 7);
  const started1 = await startedAt(ctr);
  const name = ctr;
  t.equal(
    await dvolOk(t, 'reset', '--hard', 'HEAD', volume),
    `Resetting ${volume} to latest commit... done.\nRestarted container ${name}.\n`,
  );
  t.not(await startedAt(ctr), started1, 'StartedAt changed: the app was restarted');
  await logged('loaded 5');
  t.same(
    (await logLines(ctr)).slice(-2),
    ['saved 7', 'loaded 5'],
    'stopped cleanly (it saved), then loaded HEAD',
  );
  t.equal(await containerFile(ctr, '/data/counter'), '5\n');
  await fsckClean(t, 'after reset');

  // checkout -b with an unchanged app: it stops without writing, so the switch goes through.
  const started2 = await startedAt(ctr);
  t.equal(
    await dvolOk(t, 'checkout', '-b', 'experiment', volume),
    `Switched to branch experiment based from ${volume} master@HEAD.\nRestarted container ${name}.\n`,
  );
  t.not(await startedAt(ctr), started2);
  await logged('loaded 5');
  t.same((await logLines(ctr)).slice(-2), ['unchanged 5', 'loaded 5']);
  await fsckClean(t, 'after checkout -b');

  // Unsaved state in memory: stopping writes it, so the checkout is refused and the app is restarted
  // on its own saved state; nothing is lost.
  await bump(3, 8);
  const refused = await dvol('checkout', 'master', volume);
  t.equal(refused.code, 4, 'refused: the app wrote its state when stopped');
  t.match(
    refused.stderr,
    new RegExp(
      `^dvol: Volume ${volume} has uncommitted changes\\. Please commit these before switching branches\\.`,
    ),
  );
  await logged('loaded 8');
  t.equal(await containerFile(ctr, '/data/counter'), '8\n', 'the app kept its state');
  await fsckClean(t, 'after the refused checkout');

  t.match(await dvolOk(t, 'commit', '-m', 'counter 8', volume), /^\[.+ [0-9a-f]{7}\] counter 8\n$/);
  const started3 = await startedAt(ctr);
  t.equal(
    await dvolOk(t, 'checkout', 'master', volume),
    `Switched to branch master of ${volume}.\nRestarted container ${name}.\n`,
  );
  t.not(await startedAt(ctr), started3);
  await logged('loaded 5');
  t.same((await logLines(ctr)).slice(-2), ['unchanged 8', 'loaded 5'], 'master data: 5');
  await fsckClean(t, 'after checkout master');

  await dvolOk(t, 'checkout', 'experiment', volume);
  await logged('loaded 8');
  t.same((await logLines(ctr)).slice(-2), ['unchanged 5', 'loaded 8'], 'experiment data: 8');
  t.equal(await docker('inspect', '-f', '{{.State.Running}}', ctr), 'true');
  await fsckClean(t, 'after checkout experiment');
});
