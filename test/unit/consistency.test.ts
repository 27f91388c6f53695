import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { stages } from '../../shared/src/stages/index.js';
import { VERSION } from '../../shared/src/version.js';
import { repoRoot } from '../helpers/run-action.js';

describe.each(Object.values(stages))('action.yml of $name', (stage) => {
  test('declares exactly the inputs the stage reads, with the same defaults, on node24', async () => {
    const action = parse(await readFile(join(repoRoot, 'actions', stage.name, 'action.yml'), 'utf8'));
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(Object.keys(action.inputs).sort()).toEqual([...stage.inputs].sort());
    for (const [name, spec] of Object.entries<{ default?: string; description?: string }>(action.inputs)) {
      expect(spec.description, `${name} has a description`).toBeTruthy();
      // A default that is a workflow expression (the token) is the runner's to fill in.
      if (!String(spec.default ?? '').startsWith('${{')) expect(spec.default ?? '', `default of ${name}`).toBe(stage.defaults[name] ?? '');
    }
    for (const [name, spec] of Object.entries<{ description?: string }>(action.outputs)) expect(spec.description, name).toBeTruthy();
  });
});

test('the version artifacts record is the package version', async () => {
  expect(JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')).version).toBe(VERSION);
});
