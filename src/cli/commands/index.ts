// Every verb of the CLI, in the order `dvol --help` lists them.

import type { Command } from '../command.js';
import { branch } from './branch.js';
import { checkout } from './checkout.js';
import { clone } from './clone.js';
import { commit } from './commit.js';
import { config } from './config.js';
import { diff } from './diff.js';
import { du } from './du.js';
import { exclusive } from './exclusive.js';
import { fetch } from './fetch.js';
import { fsck } from './fsck.js';
import { init } from './init.js';
import { list } from './list.js';
import { log } from './log.js';
import { mirror } from './mirror.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { remote } from './remote.js';
import { reset } from './reset.js';
import { rm } from './rm.js';
import { schedule } from './schedule.js';
import { status } from './status.js';
import { switchVolume } from './switch.js';
import { tag } from './tag.js';
import { version } from './version.js';
import { watch } from './watch.js';

export const commands: Command[] = [
  list,
  init,
  switchVolume,
  rm,
  status,
  commit,
  log,
  diff,
  reset,
  branch,
  checkout,
  tag,
  schedule,
  du,
  watch,
  mirror,
  exclusive,
  remote,
  push,
  fetch,
  pull,
  clone,
  config,
  fsck,
  version,
];

/** The verb named `name` (or one of its aliases). */
export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}
