import t from 'tap';
import { captureIo } from './io.testkit.js';
import { makePrinter, wantsColour } from './printer.js';

t.test('colour only on a terminal and never with NO_COLOR', async (t) => {
  t.equal(wantsColour({ write: () => true, isTTY: true }, {}), true, 'a terminal');
  t.equal(wantsColour({ write: () => true, isTTY: false }, {}), false, 'a pipe');
  t.equal(wantsColour({ write: () => true }, {}), false, 'a stream that does not say');
  t.equal(wantsColour({ write: () => true, isTTY: true }, { NO_COLOR: '1' }), false, 'NO_COLOR');
  t.equal(wantsColour({ write: () => true, isTTY: true }, { TERM: 'dumb' }), false, 'TERM=dumb');

  const tty = captureIo({ tty: true, env: {} });
  t.equal(makePrinter(tty.io).paint('yellow', 'commit x'), '\u001b[33mcommit x\u001b[39m');
  t.equal(makePrinter(tty.io).paint('bold', 'HEAD'), '\u001b[1mHEAD\u001b[22m');
  const noColour = captureIo({ tty: true, env: { NO_COLOR: 'yes' } });
  t.equal(makePrinter(noColour.io).paint('yellow', 'commit x'), 'commit x');
});

t.test('the spinner turns on a terminal only and is erased after', async (t) => {
  const pipe = captureIo();
  t.equal(await makePrinter(pipe.io).progress('Working', async () => 42), 42);
  t.equal(pipe.err(), '', 'nothing on a pipe');

  const tty = captureIo({ tty: true, env: {} });
  const work = new Promise((r) => setTimeout(() => r('done'), 250));
  t.equal(await makePrinter(tty.io).progress('Working', () => work), 'done');
  t.match(tty.err(), /^\r⠋ Working(\r. Working)+\r {9}\r$/, 'frames, then a blank-out');
  await t.rejects(
    makePrinter(tty.io).progress('Failing', async () => Promise.reject(new Error('x'))),
    /x/,
  );
  t.match(tty.err(), /\r {9}\r$/, 'erased on failure too');
});

t.test('line, write and json go to stdout', async (t) => {
  const cap = captureIo();
  const p = makePrinter(cap.io);
  p.line('a');
  p.line();
  p.write('b');
  p.json({ x: 1 });
  t.equal(cap.out(), 'a\n\nb{\n  "x": 1\n}\n');
});
