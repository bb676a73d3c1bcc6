import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { runMigrationsExclusively } from './run-migrations.js';

/** A data source whose "migrations" are `work`, enough for the lock around them. */
function migrating(work: () => Promise<void>): DataSource {
  return { runMigrations: work } as unknown as DataSource;
}

describe(runMigrationsExclusively.name, () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-lock-'));
    file = join(dir, 'app.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one start’s migrations at a time on one SQLite file', async () => {
    const order: string[] = [];
    let finishFirst!: () => void;
    const first = runMigrationsExclusively(
      migrating(() => {
        order.push('first started');
        return new Promise<void>(
          (resolve) =>
            (finishFirst = () => {
              order.push('first done');
              resolve();
            }),
        );
      }),
      { type: 'sqlite', file },
    );
    await vi.waitFor(() => expect(order).toEqual(['first started']));
    const second = runMigrationsExclusively(
      migrating(async () => void order.push('second started')),
      { type: 'sqlite', file },
    );
    await sleep(300);
    expect(order).toEqual(['first started']);
    finishFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first started', 'first done', 'second started']);
  });

  it('waits for a live process holding the lock, and goes on as soon as that process dies', async () => {
    // Another process in the middle of its migrations: it holds the lock the way runMigrationsExclusively does.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(`${file}.migrate.lock`)}); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { cwd: process.cwd() },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
    });
    let ran = false;
    const run = runMigrationsExclusively(
      migrating(async () => void (ran = true)),
      { type: 'sqlite', file },
    );
    await sleep(500);
    expect(ran).toBe(false);
    holder.kill('SIGKILL');
    // Before, the dead holder's lock file kept every start waiting for 60 s, then failing.
    await run;
    expect(ran).toBe(true);
  });
});
