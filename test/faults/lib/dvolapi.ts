// The /dvol API and Docker's VolumeDriver calls on the installed plugin's socket, for fault tests
// that kill the plugin mid-request: a call never rejects, it answers status 0 when the plugin died.
import { pluginSocket } from '../../e2e/lib/plugin.js';
import { timedRequest } from './unixhttp.js';

export interface Call {
  status: number;
  body: Record<string, unknown>;
  ms: number;
  error?: string;
}

/** A client of the plugin's socket (resolved once: the path keeps the plugin's id across restarts). */
export async function pluginClient(): Promise<
  (method: string, path: string, body?: unknown) => Promise<Call>
> {
  const socket = await pluginSocket();
  return async (method, path, body) => {
    const answer = await timedRequest(socket, method, path, body === undefined ? '' : JSON.stringify(body), {
      timeoutMs: 120_000,
    });
    let parsed: Record<string, unknown>;
    try {
      parsed = answer.text === '' ? {} : (JSON.parse(answer.text) as Record<string, unknown>);
    } catch {
      parsed = { text: answer.text };
    }
    return {
      status: answer.status,
      body: parsed,
      ms: answer.ms,
      ...(answer.error ? { error: answer.error } : {}),
    };
  };
}

export type Client = Awaited<ReturnType<typeof pluginClient>>;
