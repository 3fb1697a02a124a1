// Runs `btrfs send --no-data` between two read-only snapshots and yields the decoded commands.

import { spawn } from 'node:child_process';

import { DvolError } from '../../errors.js';
import { parseSendStream, type SendCommand } from './stream.js';

/**
 * Yields the commands that turn read-only snapshot `parent` into read-only snapshot `current`,
 * metadata only (file data is summarised as update_extent ranges, never read). Stopping the iteration
 * early kills `btrfs send` and waits for it to exit, so both snapshots can be deleted right after.
 */
export async function* sendMetadata(parent: string, current: string): AsyncGenerator<SendCommand> {
  const child = spawn('btrfs', ['send', '-q', '--no-data', '-p', parent, current], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // 'close' also follows a failed spawn ('error'), so waiting on it never hangs.
  child.on('error', (err) => (stderr += err.message));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let finished = false;
  try {
    yield* parseSendStream(child.stdout);
    const code = await exited;
    finished = true;
    if (code !== 0) throw sendFailed(parent, current, stderr || `exit status ${code}`);
  } catch (err) {
    if (err instanceof DvolError) throw err;
    throw sendFailed(parent, current, stderr.trim() || String(err));
  } finally {
    if (!finished) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

function sendFailed(parent: string, current: string, detail: string): DvolError {
  return new DvolError(
    'internal',
    `comparing '${current}' with '${parent}' failed: btrfs send: ${detail.trim()}`,
  );
}
