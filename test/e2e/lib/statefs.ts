// Moves the installed plugin's state directory onto a loopback btrfs or xfs filesystem for one test,
// and always puts the plugin back as it was found (state.source, enabled) at teardown.
import { chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Test } from 'tap';
import { createLoopFs, type LoopFsType } from '../../../src/storage/drivers/loopfs.testkit.js';
import { docker } from './exec.js';
import { PLUGIN, pluginEnabled, waitForPlugin } from './plugin.js';

/** The plugin's `state` mount source (`docker plugin set dvol state.source=...`). */
export async function stateSource(name = PLUGIN): Promise<string> {
  return docker(
    'plugin',
    'inspect',
    '-f',
    '{{range .Settings.Mounts}}{{if eq .Name "state"}}{{.Source}}{{end}}{{end}}',
    name,
  );
}

/**
 * Disables the plugin (-f: its volumes pin it), sets its state directory to `source`, and enables it
 * again, waiting until it answers.
 */
export async function setStateSource(source: string, name = PLUGIN): Promise<void> {
  if (await pluginEnabled(name)) await docker('plugin', 'disable', '-f', name);
  await docker('plugin', 'set', name, `state.source=${source}`);
  await docker('plugin', 'enable', name);
  await waitForPlugin(name);
}

/**
 * Mounts a loopback `type` filesystem of `bytes` and makes it the plugin's state directory until
 * `t` ends; resolves with its mount point. Run the steps that create containers and volumes in a
 * subtest of `t`, so their own teardowns run before this one restores the plugin and unmounts.
 */
export async function stateOnLoopFs(
  t: Pick<Test, 'teardown'>,
  type: LoopFsType,
  bytes = 1024 ** 3,
): Promise<string> {
  const original = await stateSource();
  const wasEnabled = await pluginEnabled();
  const loop = await createLoopFs(type, bytes, '/var/tmp');
  t.teardown(async () => {
    try {
      await setStateSource(original);
      if (!wasEnabled) await docker('plugin', 'disable', PLUGIN);
    } finally {
      await loop.dispose();
    }
  });
  // mkdtemp made the parent 0700: the CLI's docker-group user must reach <state>/run/dvol.sock.
  await chmod(dirname(loop.mountpoint), 0o755);
  await setStateSource(loop.mountpoint);
  return loop.mountpoint;
}
