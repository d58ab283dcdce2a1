/**
 * @module cmd/ferry/commands/sim — `ferry sim SCENARIO` runs one scenario file under one
 * policy; `ferry sim compare SCENARIO` runs it under several side by side in one run. Both
 * write the report (JSON, markdown, plots) and print where.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { FerryError } from '../../../core/errors.ts';
import { repoRoot } from '../../../core/paths.ts';
import { policyByName } from '../../../domain/scheduler/index.ts';

interface SimFlags {
  out: string;
  name?: string;
  set?: string[];
  json?: boolean;
}

/** Applies `--set scheduler.KEY=VALUE` / `--set KEY=VALUE` overrides to the scenario's JSON. */
export function applySets(scenario: Record<string, unknown>, sets: readonly string[]): void {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--set ${s}: write KEY=VALUE, e.g. --set scheduler.overloadW=0.8`);
    const keys = s.slice(0, eq).split('.');
    const raw = s.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let at = scenario;
    for (const k of keys.slice(0, -1)) {
      if (k === '__proto__' || k === 'constructor') throw new FerryError('FERRY_ERR_INVALID_INPUT', `--set ${s}: bad key`);
      const next = at[k];
      at = (typeof next === 'object' && next !== null ? next : (at[k] = {})) as Record<string, unknown>;
    }
    at[keys.at(-1)!] = value;
  }
}

async function run(file: string, o: SimFlags, policies: string[] | undefined): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const { parseScenario } = await import('../../../tools/sim/scenario.ts');
  const { runScenario } = await import('../../../tools/sim/run-scenario.ts');
  const { writeSimReport } = await import('../../../tools/sim/report/write.ts');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `cannot read scenario ${file}: ${(err as Error).message}; scenarios ship in bench/scenarios/`);
  }
  applySets(json, o.set ?? []);
  const scenario = parseScenario(json, file);
  if (policies) {
    for (const p of policies) policyByName(p);
    scenario.policies = policies;
  }
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  say(`ferry sim: ${scenario.name} under ${scenario.policies.join(', ')}`);
  const report = await runScenario(scenario, {
    onRun: (r) => say(`  ${r.policy}: ${r.metrics.meanActiveHosts} active hosts on average, ${r.metrics.energyKWh} kWh, ${r.metrics.migrations} migrations, SLATAH ${r.metrics.slatahPercent} % (${r.wallS} s)`),
  });
  for (const t of report.targets) say(`  target ${t.policy} ${t.metric} ${t.op} ${t.value}: ${t.actual} — ${t.met ? 'met' : 'NOT met'}`);
  const files = await writeSimReport(o.out, o.name ?? scenario.name, report);
  process.stdout.write(o.json ? `${JSON.stringify({ files, targets: report.targets }, null, 2)}\n` : `${files.join('\n')}\n`);
  process.exitCode = report.targets.every((t) => t.met) ? 0 : 1;
}

/** Adds `ferry sim` and `ferry sim compare`. */
export function registerSim(program: Command): void {
  const common = (c: Command): Command => c
    .option('--out <dir>', 'where the report goes', path.join(repoRoot(), 'bench', 'results'))
    .option('--name <base>', 'base name of the report files (default: the scenario\'s name)')
    .option('--set <KEY=VALUE...>', 'override a scenario field, e.g. scheduler.overloadW=0.8 or durationS=3600')
    .option('--json', 'print the files and targets as JSON');
  const sim = common(program.command('sim').description('Simulate a cluster under the shipped scheduler: a scenario file (hosts, trace, policy parameters) → report')
    .argument('<scenario>', 'scenario file (see bench/scenarios/)')
    .option('--policy <name>', 'run this policy only (default: the scenario\'s first)'))
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<SimFlags & { policy?: string }>();
      const { loadScenario } = await import('../../../tools/sim/scenario.ts');
      const first = o.policy ?? (await loadScenario(file)).policies[0]!;
      await run(file, o, [first]);
    });
  sim.command('scale').description('Time one simulated day of a large scenario on one core (taskset -c 0): wall time, each placement, each tick')
    .argument('[scenario]', 'scenario file', path.join(repoRoot(), 'bench', 'scenarios', 'scale-10k.json'))
    .option('--out <dir>', 'where the result goes', path.join(repoRoot(), 'bench', 'results'))
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const o = cmd.opts<{ out: string }>();
      const { spawnSync } = await import('node:child_process');
      if (process.env.FERRY_SIM_PINNED !== '1') {
        // One core, as the target says: run again under taskset.
        const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, FERRY_SIM_PINNED: '1' } });
        if (r.error) throw new FerryError('FERRY_ERR_INVALID_INPUT', `taskset is needed to pin the run to one core (apt-get install util-linux): ${r.error.message}`);
        process.exitCode = r.status ?? 1;
        return;
      }
      const { loadScenario } = await import('../../../tools/sim/scenario.ts');
      const { runScaleBench } = await import('../../../tools/sim/scale-bench.ts');
      const { writeScaleResult } = await import('../../../tools/sim/report/scale-write.ts');
      const result = await runScaleBench(await loadScenario(file), 'taskset -c 0');
      for (const t of result.targets) process.stderr.write(`target ${t.name} ${t.target}: ${t.actual} — ${t.met ? 'met' : 'NOT met'}\n`);
      process.stdout.write(`${(await writeScaleResult(o.out, result)).join('\n')}\n`);
      process.exitCode = result.targets.every((t) => t.met) ? 0 : 1;
    });
  common(sim.command('compare').description('Run one scenario under several policies side by side, in one run')
    .argument('<scenario>', 'scenario file (see bench/scenarios/)')
    .option('--policies <list>', 'comma-separated policies (default: the scenario\'s)'))
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<SimFlags & { policies?: string }>();
      await run(file, o, o.policies?.split(',').map((p) => p.trim()));
    });
}
