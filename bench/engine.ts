// The benchmarks' view of dockerd through its Engine API (the calls dvol's plugin makes, with no docker
// process per call): stop, start, a container's PID, and the events that split a reset into steps.

import { request } from 'node:http';

import { engineCall } from '../src/server/engine.js';

const SOCKET = '/var/run/docker.sock';

/** Wall-clock milliseconds with sub-millisecond precision (the clock Docker's events use too). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Stops a container the way the plugin does (its own stop signal and timeout). */
export async function stopContainer(id: string): Promise<void> {
  await engineCall(SOCKET, 'POST', `/containers/${encodeURIComponent(id)}/stop`);
}

export async function startContainer(id: string): Promise<void> {
  await engineCall(SOCKET, 'POST', `/containers/${encodeURIComponent(id)}/start`);
}

/** The host PID of a running container's main process. */
export async function containerPid(id: string): Promise<number> {
  const { body } = await engineCall(SOCKET, 'GET', `/containers/${encodeURIComponent(id)}/json`);
  return (body as { State: { Pid: number } }).State.Pid;
}

/** One event from `GET /events`, with its time in wall-clock milliseconds. */
export interface EngineEvent {
  type: string;
  action: string;
  ms: number;
}

/**
 * The events of `container` and of `volume` (its Mount and Unmount) between two wall-clock times, in
 * order. `GET /events` answers one JSON object per line, so this reads the text itself.
 */
export function eventsBetween(
  fromMs: number,
  toMs: number,
  container: string,
  volume: string,
): Promise<EngineEvent[]> {
  const filters = JSON.stringify({ type: ['container', 'volume'] });
  const path =
    `/events?since=${(fromMs / 1000).toFixed(3)}&until=${(toMs / 1000 + 0.2).toFixed(3)}` +
    `&filters=${encodeURIComponent(filters)}`;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, path }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('error', reject);
      res.on('end', () => {
        const events: EngineEvent[] = [];
        for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
          const e = JSON.parse(line) as RawEvent;
          const ours = e.Type === 'container' ? e.Actor.ID === container : e.Actor.ID === volume;
          if (ours) events.push({ type: e.Type, action: e.Action, ms: e.timeNano / 1e6 });
        }
        resolve(events.sort((a, b) => a.ms - b.ms));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface RawEvent {
  Type: string;
  Action: string;
  Actor: { ID: string };
  timeNano: number;
}
