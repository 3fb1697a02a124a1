// Child process of the conformance crash test: opens a driver by name and runs one operation, printing
// "go" just before it starts so the parent can kill it (SIGKILL) part-way through. With
// DVOL_KILL_WHEN_DONE=1 it kills itself as soon as the operation resolved, as a crash would.

import { getDriverFactory } from '../index.js';

const [name, root, op, a, b] = process.argv.slice(2) as [string, string, string, string, string];
const driver = getDriverFactory(name).open({ root, options: {} });
process.stdout.write('go\n');
if (op === 'snapshot') await driver.snapshot(a, b);
else if (op === 'branchFromCommit') await driver.branchFromCommit(a, b);
else if (op === 'resetBranch') await driver.resetBranch(a, b);
else if (op === 'removeBranch') await driver.removeBranch(a);
else if (op === 'removeCommit') await driver.removeCommit(a);
else throw new Error(`unknown operation ${op}`);
process.stdout.write('done\n');
if (process.env.DVOL_KILL_WHEN_DONE === '1') process.kill(process.pid, 'SIGKILL');
