// Parses a verb's argv against its option specs with Node's own util.parseArgs (no dependency to load
// before the request); unknown, repeated or value-less options are usage errors.

import { parseArgs as parseTokens } from 'node:util';
import type { Command, OptionSpec, Parsed } from './command.js';
import { usageError } from './errors.js';

/** The options every verb takes (the read ones also --json), appended to its own. */
export function allOptions(cmd: Command): OptionSpec[] {
  const common: OptionSpec[] = [];
  if (cmd.json) common.push({ long: 'json', description: 'Print the result as JSON.' });
  common.push({ long: 'help', short: 'h', description: 'Show this help.' });
  return [...cmd.options, ...common];
}

/** Parses `argv` (the words after the verb) for `cmd`; throws a usage error (exit 2) on a bad line. */
export function parseArgs(cmd: Command, argv: string[]): Parsed {
  const specs = allOptions(cmd);
  const byName = new Map(specs.map((o) => [o.long, o]));
  // Not strict: every token comes back, so each mistake gets our own message rather than Node's.
  const { tokens } = parseTokens({
    args: argv,
    options: Object.fromEntries(
      specs.map((o) => [
        o.long,
        { type: o.value ? 'string' : 'boolean', ...(o.short && { short: o.short }) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const opts: Parsed['opts'] = Object.fromEntries(specs.filter((o) => !o.value).map((o) => [o.long, false]));
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = byName.get(token.name);
    if (!spec) throw usageError(`unknown option '${token.rawName}' for 'dvol ${cmd.name}'`, cmd.name);
    if (!spec.value) {
      if (token.value !== undefined) throw usageError(`option '--${spec.long}' takes no value`, cmd.name);
      opts[spec.long] = true;
      continue;
    }
    if (!token.value) throw usageError(`option '--${spec.long}' needs a ${spec.value}`, cmd.name);
    const before = opts[spec.long];
    if (before !== undefined && !spec.repeat) {
      throw usageError(`option '--${spec.long}' given more than once`, cmd.name);
    }
    opts[spec.long] = spec.repeat ? [...((before as string[] | undefined) ?? []), token.value] : token.value;
  }
  if (opts.help) return { opts, positionals, json: false };
  const [min, max] = cmd.arity;
  if (positionals.length < min) throw usageError(`'dvol ${cmd.name}' needs more arguments`, cmd.name);
  if (positionals.length > max) {
    throw usageError(
      `too many arguments for 'dvol ${cmd.name}': '${positionals.slice(max).join(' ')}'`,
      cmd.name,
    );
  }
  return { opts, positionals, json: opts.json === true };
}
