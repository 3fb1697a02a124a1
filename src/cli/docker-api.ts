// Asks the local Docker Engine API directly over its unix socket, as the docker command itself does:
// finding the plugin's socket then costs one HTTP request instead of a docker process on every command.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How long to wait for dockerd before falling back to the docker command (which says what is wrong). */
const ANSWER_MS = 5_000;

/**
 * The unix socket the docker command would use, or undefined when it would go elsewhere: DOCKER_HOST
 * naming another transport, or a docker context (DOCKER_CONTEXT, or `currentContext` in the config).
 */
export function localDockerSocket(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  if (env.DOCKER_HOST) return env.DOCKER_HOST.startsWith('unix://') ? env.DOCKER_HOST.slice(7) : undefined;
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  try {
    const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as {
      currentContext?: string;
    };
    if (config.currentContext && config.currentContext !== 'default') return undefined;
  } catch {
    // No config (the usual case) or one docker itself would reject: the default socket.
  }
  return '/var/run/docker.sock';
}

/** The status and parsed JSON body of `GET path` on the Engine API at `socket`; rejects on any failure. */
export function getJson(socket: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET', timeout: ANSWER_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Docker did not answer within ${ANSWER_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}
