// `dvol watch [VOLUME]`: follows a volume's events (file changes in its data, dvol's own operations).

import type { EventLine, VolumeEvent } from '../../api/events.js';
import type { Command } from '../command.js';
import { shortId } from '../format.js';

/** One event as `dvol watch` prints it: the time, then what happened. */
export function eventText(line: EventLine): string {
  const time = line.time.slice(11, 23);
  switch (line.type) {
    case 'renamed':
      return `${time} renamed  ${line.from} -> ${line.path}${line.kind === 'dir' ? '/' : ''}`;
    case 'created':
    case 'modified':
    case 'deleted':
      return `${time} ${line.type.padEnd(8)} ${line.path}${line.kind === 'dir' ? '/' : ''}`;
    case 'commit':
    case 'reset':
      return `${time} ${line.type.padEnd(8)} ${line.branch} at ${line.commit ? shortId(line.commit) : '(no commit)'}`;
    case 'checkout':
      return `${time} checkout ${line.branch}`;
    case 'mount':
    case 'unmount':
      return `${time} ${line.type.padEnd(8)} by mount ${shortId(line.id)}`;
  }
}

/** dvol's own events, for the help text (typed by the API's event type). */
const OWN_EVENTS: VolumeEvent['type'][] = ['commit', 'reset', 'checkout', 'mount', 'unmount'];

export const watch: Command = {
  name: 'watch',
  summary: "Follow a volume's file changes and operations as they happen",
  synopsis: ['watch [--json] [VOLUME]'],
  description: `Prints the events of VOLUME (default: the active volume) until interrupted (Ctrl-C): files and directories created, modified, deleted or renamed (with both paths) anywhere in its data, and dvol's own events: ${OWN_EVENTS.join(', ')}. A burst of writes to one file is one event once the file has been quiet for 100 ms (at most 300 ms after the first write), so a change is shown within a second.

Paths are relative to the volume's root; a directory ends with '/'. With --json, each event is one line of JSON (NDJSON) with its time, volume and fields; the first line, {"watching": VOLUME}, says the watch is in place.

The watch runs in the plugin. When the kernel's inotify watch limit is reached, dvol watch ends with an error saying how to raise it.`,
  options: [],
  json: true,
  arity: [0, 1],
  async run(ctx, { json, positionals: [explicit] }) {
    const volume = await ctx.volume(explicit);
    for await (const line of ctx.api.stream('GET /dvol/volumes/:vol/events', { params: { vol: volume } })) {
      if (json) ctx.print.line(JSON.stringify(line));
      else if ('watching' in line) ctx.print.line(`Watching ${line.watching} (Ctrl-C to stop).`);
      else ctx.print.line(eventText(line));
    }
  },
};
