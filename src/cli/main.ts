#!/usr/bin/env node
// The dvol CLI's entry point: picks the verb, parses its arguments, runs it and maps errors to exit statuses.

import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from './args.js';
import { commands, findCommand } from './commands/index.js';
import { makeContext } from './context.js';
import { EXIT, exitCodeOf, formatError, usageError } from './errors.js';
import { renderHelp, renderMainHelp } from './help.js';
import { makePrinter, type Io } from './printer.js';

/** The real process's Io; `ask` only when stdin is a terminal. */
export function processIo(): Io {
  const ask = async (question: string) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    ...(process.stdin.isTTY ? { ask } : {}),
  };
}

/** Runs the CLI on `argv` (the words after `dvol`) and resolves to the exit status; never throws. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const print = makePrinter(io);
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      const verb = first === 'help' && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
      print.write(verb ? renderHelp(verb) : renderMainHelp(commands));
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    const name = first === '--version' ? 'version' : first;
    if (name.startsWith('-')) throw usageError(`unknown option '${name}'`);
    const cmd = findCommand(name);
    if (!cmd) throw usageError(`'${name}' is not a dvol command`);
    const args = parseArgs(cmd, rest);
    if (args.opts.help) {
      print.write(renderHelp(cmd));
      return EXIT.ok;
    }
    await cmd.run(makeContext(io, print), args);
    return EXIT.ok;
  } catch (err) {
    io.stderr.write(formatError(err));
    return exitCodeOf(err);
  }
}

/** True when this module is the program node was started with (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `dvol log | head`: a reader that goes away early is not an error, as for git.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  process.exitCode = await main(process.argv.slice(2));
}
