import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { author, configPath, getConfig, setConfig } from './config.js';

/** An environment whose HOME (git's config) and XDG_CONFIG_HOME (dvol's) are fresh directories. */
function envFor(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'xdg') };
}

t.test('the file lives under XDG_CONFIG_HOME, else ~/.config', async (t) => {
  t.equal(configPath({ XDG_CONFIG_HOME: '/x' }), '/x/dvol/config.json');
  t.equal(configPath({ HOME: '/home/luke' }), '/home/luke/.config/dvol/config.json');
});

t.test('values are set, read back and stored per user', async (t) => {
  const env = envFor(t.testdir({ home: {} }));
  t.equal(await getConfig(env, 'user.name'), undefined, 'unset without git config');
  await setConfig(env, 'user.name', 'Luke Marsden');
  await setConfig(env, 'user.email', 'luke@clusterhq.com');
  t.same(await getConfig(env, 'user.name'), { value: 'Luke Marsden', source: 'dvol' });
  t.same(JSON.parse(await readFile(configPath(env), 'utf8')), {
    user: { name: 'Luke Marsden', email: 'luke@clusterhq.com' },
  });
  t.equal(await author(env), 'Luke Marsden <luke@clusterhq.com>');
});

t.test("git's user.name and user.email are the default", async (t) => {
  const dir = t.testdir({ home: { '.gitconfig': '[user]\n\tname = Git User\n\temail = git@example.com\n' } });
  const env = envFor(dir);
  t.same(await getConfig(env, 'user.email'), { value: 'git@example.com', source: 'git' });
  t.equal(await author(env), 'Git User <git@example.com>');
  await setConfig(env, 'user.name', 'Own Name');
  t.equal(await author(env), 'Own Name <git@example.com>', "dvol's own value wins");
});

t.test('commit refuses without an author and says how to set one', async (t) => {
  const env = envFor(t.testdir({ home: {} }));
  await setConfig(env, 'user.name', 'Only Name');
  await t.rejects(author(env), {
    code: 'invalid',
    message: 'cannot commit without an author: user.email not set',
    hint: /dvol config user.name .* dvol config user.email/,
  });
});

t.test('a corrupt config file is one clear error', async (t) => {
  const env = envFor(t.testdir({ home: {} }));
  await mkdir(join(env.XDG_CONFIG_HOME!, 'dvol'), { recursive: true });
  await writeFile(configPath(env), '{not json');
  await t.rejects(getConfig(env, 'user.name'), { code: 'corrupt', message: /is not valid JSON/ });
});
