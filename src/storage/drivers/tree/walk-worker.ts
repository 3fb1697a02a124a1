// The entry file of a walk worker thread (walk-pool.ts starts it): runs each task it is sent with
// runWalkTask and posts the result back under the task's id.

import { parentPort } from 'node:worker_threads';

import { runWalkTask, type WalkTask } from './walk-task.js';

const port = parentPort;
if (port === null) throw new Error('walk-worker.ts runs only as a worker thread (see walk-pool.ts)');
port.on('message', (m: { id: number; task: WalkTask }) =>
  port.postMessage({ id: m.id, result: runWalkTask(m.task) }),
);
