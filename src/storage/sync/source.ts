// `clone URL[:BRANCH]`: the branch is what follows the last ':' after the last '/', so a registry
// port (`127.0.0.1:5000/team/db`) is never taken for one.

import { checkName } from '../names.js';

export function splitSource(source: string): { url: string; branch?: string } {
  const colon = source.lastIndexOf(':');
  if (colon <= source.lastIndexOf('/') || (source.startsWith('file:') && colon <= 'file:'.length))
    return { url: source };
  const branch = source.slice(colon + 1);
  checkName('branch', branch);
  return { url: source.slice(0, colon), branch };
}
