// Where a copy-based driver keeps things under its root, and the name checks that keep paths inside it.

import path from 'node:path';

import { DvolError } from '../../errors.js';

/**
 * The directories of one volume's copy-based driver:
 * - `branches/<name>`: writable working data; `commits/<id>`: read-only snapshots;
 * - `tmp/`: copies being made (invisible until renamed into place); `trash/`: data being deleted;
 * - `staging/<branch>/`: a resetBranch in progress (`copying`, `ready-<commit>`, `old`);
 * - `manifests/<branch>.json`: change-detection manifests.
 */
export class Layout {
  readonly branches: string;
  readonly commits: string;
  readonly tmp: string;
  readonly trash: string;
  readonly staging: string;
  readonly manifests: string;

  constructor(readonly root: string) {
    this.branches = path.join(root, 'branches');
    this.commits = path.join(root, 'commits');
    this.tmp = path.join(root, 'tmp');
    this.trash = path.join(root, 'trash');
    this.staging = path.join(root, 'staging');
    this.manifests = path.join(root, 'manifests');
  }

  /** Every directory of the layout, parents first. */
  get all(): string[] {
    return [this.branches, this.commits, this.tmp, this.trash, this.staging, this.manifests];
  }

  branch(name: string): string {
    return path.join(this.branches, checkName('branch', name));
  }

  commit(id: string): string {
    return path.join(this.commits, checkName('commit', id));
  }

  /** The staging directory of a branch's reset. */
  stagingOf(branch: string): string {
    return path.join(this.staging, checkName('branch', branch));
  }
}

/** The versioning layer asks only for data it knows about; a mismatch means the store needs a check. */
export const FSCK_HINT = "check the store with 'dvol fsck'";

/** Refuses names that would escape their directory or are not one path component. */
export function checkName(kind: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name) || Buffer.byteLength(name) > 200) {
    throw new DvolError(
      'invalid',
      `invalid ${kind} name '${name}'`,
      `use a name of letters, digits, '_', '.' and '-' (this is a bug in the caller)`,
    );
  }
  return name;
}
