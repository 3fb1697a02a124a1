// The shape of a CLI verb: its man-page text, its options (for parsing and help alike) and its run function.

import type { ApiClient } from './client.js';
import type { Io, Printer } from './printer.js';

/** One option of a verb; the same record drives parsing and the OPTIONS section of its help. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `message`; also the key in `Parsed.opts`. */
  long: string;
  /** One-letter alias, e.g. `m`. */
  short?: string;
  /** Placeholder when the option takes a value, e.g. `MESSAGE`; boolean when absent. */
  value?: string;
  /** The option may be given several times; its value is then a list. */
  repeat?: boolean;
  description: string;
}

/** A parsed command line: options by long name, then the positional arguments. */
export interface Parsed {
  opts: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
}

/** What a verb's run function gets. */
export interface Context {
  api: ApiClient;
  print: Printer;
  io: Io;
  /** The named volume, or the active one (kept by the plugin) when `explicit` is undefined. */
  volume(explicit: string | undefined): Promise<string>;
}

/** A verb of the CLI. */
export interface Command {
  name: string;
  aliases?: string[];
  /** One line for `dvol --help` and the NAME section. */
  summary: string;
  /** Usage lines without the leading `dvol `. */
  synopsis: string[];
  /** Paragraphs, separated by blank lines. */
  description: string;
  options: OptionSpec[];
  /** A read command: also takes --json and then prints JSON. */
  json?: boolean;
  /** How many positional arguments it takes. */
  arity: [min: number, max: number];
  /** Extra lines for EXIT STATUS, e.g. `1   fsck found problems`. */
  exitNotes?: string[];
  run(ctx: Context, args: Parsed): Promise<void>;
}
