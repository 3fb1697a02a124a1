// The crash cases of the conformance suite: a child process runs snapshot, branchFromCommit or
// resetBranch on real data and is killed with SIGKILL at several moments; then cleanup() must leave
// only complete data, and a rerun of resetBranch must finish the reset.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

import type { SnapshotDriver } from '../driver.js';
import { getDriverFactory } from '../index.js';
import { writeBulk } from './context.testkit.js';
import type { SuiteContext } from './context.testkit.js';
import { describeTree } from './describe.testkit.js';
import { buildFixture } from './fixture.testkit.js';

/** The child process script that runs one driver operation (a testkit, so dist/ does not ship it). */
export const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.testkit.ts');

/** Delays (ms after the child starts the operation) at which it is killed; the last lets it finish. */
export const KILL_DELAYS = [0, 30, 120, 10_000];

/**
 * Runs `op args` in a child process with the driver named `name` on `root`, killing it `delay` ms after
 * it starts. Resolves to whether the operation completed.
 */
export function runAndKill(
  name: string,
  root: string,
  op: string,
  args: string[],
  delay: number,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, name, root, op, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (timer === undefined && out.includes('go\n')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(false);
      else if (code === 0 && out.includes('done\n')) resolve(true);
      else reject(new Error(`crash child failed (${code}): ${err.trim()}`));
    });
  });
}

/** Apparent bytes of everything under `dir` (du -sb), to find leftovers nobody lists. */
export function apparentBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** Apparent bytes of everything list() reports. */
export async function listedBytes(driver: SnapshotDriver): Promise<number> {
  const { branches, commits } = await driver.list();
  let listed = 0;
  for (const branch of branches) listed += (await driver.size({ branch })).bytes;
  for (const commit of commits) listed += (await driver.size({ commit })).bytes;
  return listed;
}

/** Asserts that the driver's root holds nothing beyond what list() reports (plus 1 MiB of metadata). */
export async function assertNoLeftovers(t: Test, driver: SnapshotDriver, root: string): Promise<void> {
  const listed = await listedBytes(driver);
  const onDisk = apparentBytes(root);
  t.ok(onDisk <= listed + (1 << 20), `no leftovers: ${onDisk} bytes on disk for ${listed} listed`);
}

/**
 * Kills snapshot, branchFromCommit and resetBranch at several moments. Afterwards: cleanup() leaves
 * only complete data (a listed commit or branch equals its source), no leftovers, and a rerun of
 * resetBranch finishes the reset.
 */
export function crashGroups(t: Test, ctx: SuiteContext): void {
  let registered: string | false = false;
  try {
    if (getDriverFactory(ctx.factory.name) !== ctx.factory) registered = 'another factory has this name';
  } catch {
    registered = `driver '${ctx.factory.name}' is not in the registry, so a child process cannot open it`;
  }
  t.test('crash: killed at any moment, cleanup and rerun recover', { skip: registered }, async (t) => {
    const { driver, root } = ctx.open(t);
    await driver.createBranch('master');
    const master = driver.branchPath('master');
    buildFixture(master);
    writeBulk(master, 'bulk', 32, 256 * 1024);
    await driver.snapshot('master', 'base');
    const expected = await describeTree(master);
    fs.writeFileSync(path.join(master, 'dirty'), 'uncommitted');
    for (const [i, delay] of KILL_DELAYS.entries()) {
      const tag = `killed after ${delay} ms`;
      await runAndKill(ctx.factory.name, root, 'snapshot', ['master', `s${i}`], delay);
      await driver.cleanup();
      if ((await driver.list()).commits.includes(`s${i}`)) {
        t.same(
          await describeTree(driver.commitPath(`s${i}`)),
          await describeTree(master),
          `snapshot ${tag}: complete`,
        );
      }
      await runAndKill(ctx.factory.name, root, 'branchFromCommit', ['base', `b${i}`], delay);
      await driver.cleanup();
      if ((await driver.list()).branches.includes(`b${i}`)) {
        t.same(await describeTree(driver.branchPath(`b${i}`)), expected, `branchFromCommit ${tag}: complete`);
      }
      const done = await runAndKill(ctx.factory.name, root, 'resetBranch', ['master', 'base'], delay);
      if (!done && i % 2 === 1) {
        // cleanup() before the rerun must leave the branch whole: its old data or the commit's.
        await driver.cleanup();
        const now = await describeTree(master);
        const dirty = JSON.stringify('dirty');
        const old = now[dirty] !== undefined;
        t.same(
          now,
          old ? { ...expected, [dirty]: now[dirty], '""': now['""'] } : expected,
          `resetBranch ${tag}, then cleanup: the branch is whole (${old ? 'old data' : 'reset'})`,
        );
      }
      if (!done) await driver.resetBranch('master', 'base');
      await driver.cleanup();
      t.same(
        await describeTree(master),
        expected,
        `resetBranch ${tag}${done ? '' : ', then rerun'}: complete`,
      );
      t.equal(await driver.hasChanges('master', 'base'), false, `resetBranch ${tag}: clean`);
      await assertNoLeftovers(t, driver, root);
      await driver.removeCommit(`s${i}`);
      await driver.removeBranch(`b${i}`);
      fs.writeFileSync(path.join(master, 'dirty'), 'uncommitted');
    }
  });
}
