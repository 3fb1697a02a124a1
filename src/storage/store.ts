// openStore(): the state directory with its volumes, mount table, locks and recovery on open.

import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir } from './atomic.js';
import { crashPoint } from './crashpoint.js';
import { loadRecord, volumeNotFound, type VolumeContext } from './context.js';
import type { SnapshotDriver } from './drivers/driver.js';
import { validateOptions } from './options.js';
import { chooseDefaultDriver, getDriverFactory, type DriverName } from './drivers/index.js';
import { DvolError, asDvolError } from './errors.js';
import { fsckStore } from './fsckstore.js';
import { checkFormat } from './format.js';
import { VolumePaths, readVolumeRecord, writeVolumeRecord, type VolumeRecord } from './meta.js';
import type { CreateVolumeOptions, FsckProblem, Store, Volume, VolumeInfo, VolumeSummary } from './model.js';
import { PersistedMountTable } from './mounts.js';
import { KeyedMutex } from './mutex.js';
import { checkName } from './names.js';
import { activeHead } from './record-refs.js';
import { recoverVolume } from './recover.js';
import { lockStateDir } from './statelock.js';
import { VolumeHandle, volumeInfo } from './volume.js';

/** The branch every new volume starts with (the seeds' name for it). */
export const DEFAULT_BRANCH = 'master';

/**
 * Opens (creating it if absent or empty) the store at `root`: takes the state-directory lock, checks the
 * format, and recovers every volume from interrupted work. Close it to release the lock.
 */
export async function openStore(root: string, opts: { defaultDriver?: DriverName } = {}): Promise<Store> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const unlock = await lockStateDir(root);
  try {
    await checkFormat(root);
    for (const dir of ['volumes', 'tmp', 'trash'])
      await mkdir(join(root, dir), { recursive: true, mode: 0o700 });
    const mounts = await PersistedMountTable.load(join(root, 'mounts.json'));
    const defaultDriver = opts.defaultDriver ?? (await chooseDefaultDriver(join(root, 'volumes')));
    const store = new DirStore(root, defaultDriver, mounts, unlock);
    await store.recover();
    return store;
  } catch (err) {
    await unlock();
    throw err;
  }
}

class DirStore implements Store {
  private readonly mutex = new KeyedMutex();
  private readonly drivers = new Map<string, SnapshotDriver>();
  private closed = false;
  /** Each volume's size and dirty flag as last measured by summarizeVolumes. */
  private readonly measured = new Map<string, Pick<VolumeSummary, 'size' | 'dirty'>>();
  /** Volumes whose recovery on open failed, with why. */
  private readonly unrecovered = new Map<string, string>();
  /** Deletions of removed volumes, running after their removeVolume resolved, in order. */
  private deleting: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly defaultDriver: DriverName,
    readonly mounts: PersistedMountTable,
    private readonly unlock: () => Promise<void>,
  ) {}

  private paths(name: string): VolumePaths {
    return new VolumePaths(join(this.root, 'volumes', name));
  }

  private context(name: string): VolumeContext {
    return {
      name,
      paths: this.paths(name),
      mounts: this.mounts,
      driver: (record) => this.driverFor(record, this.paths(name)),
      assertUsable: () => {
        this.check();
        const why = this.unrecovered.get(name);
        if (why !== undefined) {
          throw new DvolError(
            'corrupt',
            `volume '${name}' could not be recovered when the store was opened: ${why}`,
            "see 'dvol fsck'; restart the plugin to retry the recovery",
          );
        }
      },
    };
  }

  private driverFor(record: VolumeRecord, paths: VolumePaths): SnapshotDriver {
    let driver = this.drivers.get(paths.dir);
    if (!driver) {
      driver = getDriverFactory(record.driver).open({ root: paths.data, options: record.options });
      this.drivers.set(paths.dir, driver);
    }
    return driver;
  }

  /** Removes leftovers of interrupted store-level work, then recovers each volume. */
  async recover(): Promise<void> {
    await rm(join(this.root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.root, 'tmp'), { mode: 0o700 });
    for (const name of await readdir(join(this.root, 'trash')))
      await this.destroy(join(this.root, 'trash', name));
    for (const name of await readdir(join(this.root, 'volumes'))) {
      const paths = this.paths(name);
      // A volume directory without volume.json is a create that crashed before its commit point.
      if (existsSync(paths.record)) await this.recoverOne(name);
      else await rm(paths.dir, { recursive: true, force: true });
    }
  }

  /**
   * Recovers one volume. A volume that cannot be recovered (damaged metadata, a driver failing) is left
   * as it is, for fsck to report and for its own operations to refuse: one broken volume must not keep
   * the plugin from serving the others.
   */
  private async recoverOne(name: string): Promise<void> {
    try {
      await recoverVolume(this.context(name));
    } catch (err) {
      if (!(err instanceof DvolError)) throw err;
      this.unrecovered.set(name, err.message);
    }
  }

  /** Deletes a removed volume's directory: through its driver (btrfs needs that), then whatever is left. */
  private async destroy(dir: string): Promise<void> {
    const paths = new VolumePaths(dir);
    const record = await readVolumeRecord(paths).catch(() => undefined);
    if (record)
      await getDriverFactory(record.driver).open({ root: paths.data, options: record.options }).destroy();
    await rm(dir, { recursive: true, force: true });
  }

  private check(): void {
    if (this.closed) {
      throw new DvolError(
        'internal',
        `the store at ${this.root} is closed`,
        'open it again with openStore()',
      );
    }
  }

  async createVolume(name: string, opts: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    this.check();
    checkName('volume', name);
    const driverName = opts.driver ?? this.defaultDriver;
    const options = validateOptions(name, driverName, opts.options ?? {});
    const usable = await getDriverFactory(driverName).probe(join(this.root, 'volumes'));
    if (usable !== true && (await nearlyFull(join(this.root, 'volumes')))) {
      // A probe that cannot write on a full disk says nothing about the driver.
      const full = Object.assign(new Error(usable), { code: 'ENOSPC' });
      throw asDvolError(full, `creating volume '${name}'`);
    }
    if (usable !== true) {
      throw new DvolError(
        'unsupported',
        `driver '${driverName}' cannot be used here: ${usable}`,
        driverName === this.defaultDriver
          ? "choose another driver with the option driver=plain, or change the store's default driver"
          : `leave the driver out to use the default ('${this.defaultDriver}')`,
      );
    }
    return this.mutex.run(name, async () => {
      const paths = this.paths(name);
      try {
        await mkdir(paths.dir, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw volumeExists(name);
        throw asDvolError(err, `creating volume '${name}'`);
      }
      await mkdir(paths.commits, { mode: 0o700 });
      await mkdir(paths.data, { mode: 0o700 });
      const record: VolumeRecord = {
        name,
        driver: driverName,
        options,
        createdAt: new Date().toISOString(),
        activeBranch: DEFAULT_BRANCH,
        branches: { [DEFAULT_BRANCH]: null },
        tags: {},
        ...(opts.exclusive === true ? { exclusive: true } : {}),
      };
      // volume.json is the commit point; recovery makes the branch's data if a crash comes before it.
      await writeVolumeRecord(paths, record);
      await fsyncDir(join(this.root, 'volumes'));
      crashPoint('create:after-record');
      await this.driverFor(record, paths).createBranch(DEFAULT_BRANCH);
      return volumeInfo(record);
    });
  }

  async getVolume(name: string): Promise<VolumeInfo | undefined> {
    this.check();
    if (!isValidName(name)) return undefined;
    const record = await readVolumeRecord(this.paths(name));
    return record && volumeInfo(record);
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    this.check();
    const infos: VolumeInfo[] = [];
    for (const name of (await readdir(join(this.root, 'volumes'))).sort()) {
      // A volume with damaged metadata is left out (fsck reports it) rather than failing the whole list.
      const info = await this.getVolume(name).catch((err: unknown) => {
        if (err instanceof DvolError && err.code === 'corrupt') return undefined;
        throw err;
      });
      if (info) infos.push(info);
    }
    return infos;
  }

  async summarizeVolumes(): Promise<VolumeSummary[]> {
    const summaries: VolumeSummary[] = [];
    for (const info of await this.listVolumes()) {
      // A busy volume (a commit running, a diff being read) is not waited for: a listing answers
      // with its metadata and what was measured last.
      if (this.mutex.busy(info.name)) {
        const last = this.measured.get(info.name) ?? { size: { bytes: 0 }, dirty: false };
        summaries.push({ ...info, ...last, busy: true });
        continue;
      }
      const summary = await this.mutex.run(info.name, async () => {
        const record = await readVolumeRecord(this.paths(info.name));
        if (!record) return undefined;
        const ctx = this.context(info.name);
        const driver = ctx.driver(record);
        const head = activeHead(record);
        const size = await driver.size({ branch: record.activeBranch });
        const measured = { size, dirty: await driver.hasChanges(record.activeBranch, head) };
        this.measured.set(info.name, measured);
        return { ...volumeInfo(record), ...measured };
      });
      if (summary) summaries.push(summary);
    }
    return summaries;
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.check();
    return this.mutex.run(name, fn);
  }

  volume(name: string): Volume {
    this.check();
    checkName('volume', name);
    if (!existsSync(this.paths(name).record)) throw volumeNotFound(name);
    return new VolumeHandle(this.context(name), this.mutex);
  }

  async removeVolume(name: string): Promise<void> {
    this.check();
    checkName('volume', name);
    await this.mutex.run(name, async () => {
      const paths = this.paths(name);
      await loadRecord(this.context(name));
      if (this.mounts.count(name) > 0) {
        throw new DvolError(
          'in_use',
          `volume '${name}' is mounted (${this.mounts.count(name)} mounts), so it cannot be removed`,
          'stop and remove the containers using it first',
        );
      }
      // The rename out of volumes/ is the commit point; the trash is emptied now or on the next open.
      const trash = join(this.root, 'trash', `${name}.${randomBytes(4).toString('hex')}`);
      await rename(paths.dir, trash);
      await fsyncDir(join(this.root, 'volumes'));
      crashPoint('rm:after-rename');
      const driver = this.drivers.get(paths.dir);
      this.drivers.delete(paths.dir);
      // Deleting the data takes time that grows with it: after the answer, like the drivers' own
      // deletions (which must finish first); the next open finishes one that a crash cut off.
      this.deleting = this.deleting
        .then(() => driver?.idle())
        .then(() => this.destroy(trash))
        .catch(() => undefined);
    });
  }

  async idle(): Promise<void> {
    await this.deleting;
    await Promise.all([...this.drivers.values()].map((driver) => driver.idle()));
  }

  async fsck(): Promise<FsckProblem[]> {
    this.check();
    const names = await readdir(join(this.root, 'volumes'));
    const problems = await fsckStore(this.root, names, this.mounts.volumes(), (name) =>
      this.volume(name).fsck(),
    );
    const failed = [...this.unrecovered].map(([volume, why]) => ({
      volume,
      kind: 'recovery-failed',
      message: `recovering volume '${volume}' on open failed: ${why}`,
    }));
    return [...failed, ...problems];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.idle();
    await this.idle();
    await this.unlock();
  }
}

function volumeExists(name: string): DvolError {
  return new DvolError(
    'exists',
    `volume '${name}' already exists`,
    `pick another name, or remove it with 'dvol rm ${name}'`,
  );
}

function isValidName(name: string): boolean {
  try {
    checkName('volume', name);
    return true;
  } catch {
    return false;
  }
}

/** Whether the filesystem holding `dir` has less than 1 MiB left for us. */
async function nearlyFull(dir: string): Promise<boolean> {
  const s = await statfs(dir).catch(() => undefined);
  return s !== undefined && s.bavail * s.bsize < 1 << 20;
}
