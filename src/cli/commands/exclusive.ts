// `dvol exclusive [on|off] [VOLUME]`: shows or sets whether one container at a time may mount a volume.

import type { Command } from '../command.js';

export const exclusive: Command = {
  name: 'exclusive',
  summary: 'Show or set whether a volume is mounted by one container at a time',
  synopsis: ['exclusive [--json] [VOLUME]', 'exclusive on|off [VOLUME]'],
  description: `An exclusive volume is mounted by one container at a time: Docker's Mount for a second container is refused, naming the container that holds it (a database's data directory must never be opened by two servers at once). The holder itself may mount it again ('docker cp' into it works). A holder that no running container accounts for (a killed dockerd never sends its Unmount) is cleared at the next Mount.

Without on or off, shows the policy of VOLUME (default: the active volume): exclusive or shared. With on or off, sets it; containers that have it mounted keep it, and the policy applies from the next Mount. A volume is made exclusive at creation with 'docker volume create -d dvol -o exclusive=true NAME' (or exclusive: "true" in compose's driver_opts).`,
  options: [],
  json: true,
  arity: [0, 2],
  async run(ctx, { json, positionals }) {
    const setting = positionals[0] === 'on' || positionals[0] === 'off' ? positionals[0] : undefined;
    const volume = await ctx.volume(setting === undefined ? positionals[0] : positionals[1]);
    const info =
      setting === undefined
        ? (await ctx.api.call('GET /dvol/volumes/:vol', { params: { vol: volume } })).volume
        : (
            await ctx.api.call('PUT /dvol/volumes/:vol/exclusive', {
              params: { vol: volume },
              body: { exclusive: setting === 'on' },
            })
          ).volume;
    if (json) return ctx.print.json({ volume, exclusive: info.exclusive });
    const policy = info.exclusive ? 'exclusive (one container at a time)' : 'shared';
    ctx.print.line(setting === undefined ? `${volume}: ${policy}` : `${volume} is now ${policy}.`);
  },
};
