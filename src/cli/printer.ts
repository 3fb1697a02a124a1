// Where output goes: stdout/stderr writers, the colour decision (TTY and no NO_COLOR) and a TTY-only spinner.

/** A stream the CLI writes to; process.stdout and process.stderr fit, and so do test buffers. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The process surroundings a run of the CLI sees; tests pass their own. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Asks the user a question on a terminal; absent when stdin is not a terminal. */
  ask?: (question: string) => Promise<string>;
}

/** ANSI SGR codes, on and off, for the few styles the CLI uses (no colour library to load at start). */
const STYLES = {
  yellow: ['\x1b[33m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  red: ['\x1b[31m', '\x1b[39m'],
  bold: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
} as const;

type Style = keyof typeof STYLES;

/** Output helpers bound to one Io. */
export interface Printer {
  /** Writes one line (a newline is added) to stdout. */
  line(text?: string): void;
  /** Writes text as is to stdout. */
  write(text: string): void;
  /** Writes a JSON document to stdout (for --json). */
  json(value: unknown): void;
  /** Colours text when colour is on; otherwise returns it unchanged. */
  paint(style: Style, text: string): string;
  readonly colour: boolean;
  /** Runs work while a spinner titled `title` turns on stderr, when stderr is a TTY. */
  progress<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** Colour only on a terminal that can show it, never when NO_COLOR is set (https://no-color.org). */
export function wantsColour(stream: OutStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const SPIN_MS = 100;

/** Makes the Printer for an Io. */
export function makePrinter(io: Io): Printer {
  const colour = wantsColour(io.stdout, io.env);
  return {
    colour,
    line: (text = '') => void io.stdout.write(text + '\n'),
    write: (text) => void io.stdout.write(text),
    json: (value) => void io.stdout.write(JSON.stringify(value, null, 2) + '\n'),
    paint: (style, text) => (colour ? STYLES[style][0] + text + STYLES[style][1] : text),
    async progress(title, work) {
      if (io.stderr.isTTY !== true) return work();
      let i = 0;
      const spin = () => io.stderr.write(`\r${frames[i++ % frames.length]} ${title}`);
      // Quick answers (most of them) finish before the first frame: no flicker.
      const timer = setInterval(spin, SPIN_MS);
      try {
        return await work();
      } finally {
        clearInterval(timer);
        // Erase the spinner line so the result prints on a clean line.
        if (i > 0) io.stderr.write(`\r${' '.repeat(title.length + 2)}\r`);
      }
    },
  };
}
