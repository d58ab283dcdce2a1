/**
 * @module cmd/ferry/commands/scheduling — the commands that talk to the controller:
 * `ferry run`, `ferry rm`, `ferry ps`, `ferry nodes`, `ferry events`, `ferry policy`.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../../core/errors.ts';
import { controllerClient, type ControllerFlags } from '../../../apps/cli/controller-client.ts';
import type { NodeReport } from '../../../apps/controller/node-report.ts';
import type { ContainerRecord, EventRow } from '../../../apps/controller/records.ts';
import { formatEvent, formatNodes, formatContainers, parseCpus, parseMemoryMiB } from '../../../apps/cli/scheduling-format.ts';

/** Adds the controller's commands. */
export function registerScheduling(program: Command): void {
  const common = (c: Command): Command => c
    .option('--controller <url>', 'controller URL (FERRY_CONTROLLER_URL; default http://127.0.0.1:controller.port)')
    .option('--token-file <file>', 'the cluster token (default: FERRY_TOKEN, else the test bed\'s)')
    .option('--json', 'print JSON');
  const print = (json: boolean | undefined, value: unknown, text: () => string): void => {
    process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  };

  common(program.command('run').description('Deploy a container through the scheduler (placement by the active policy)')
    .argument('<image>', 'image (a ferry workload image such as ferry/load:1, or one the nodes have)')
    .option('--name <name>', 'container name (default: app name + random suffix)')
    .option('--app <name>', 'application it belongs to (default: the container name)')
    .option('--app-type <type>', 'application type: its λ:α:β weights (scheduler.appTypes; default scheduler.defaultAppType)')
    .option('--cpus <n>', 'CPU it asks for, in cores (0.5) or millicores (500m)', '0.1')
    .option('--memory <size>', 'memory it asks for (e.g. 256m, 1g)', '64m')
    .option('--network <mbps>', 'network it asks for, Mbit/s', '0')
    .option('-e, --env <KEY=VALUE...>', 'environment variables'))
    .action(async (image: string, o: ControllerFlags & { name?: string; app?: string; appType?: string; cpus: string; memory: string; network: string; env?: string[]; json?: boolean }) => {
      const body = { image, name: o.name, app: o.app, appType: o.appType, cpuMillis: parseCpus(o.cpus), memoryMiB: parseMemoryMiB(o.memory), networkMbps: Number(o.network), env: o.env };
      const c = await controllerClient(o).call<ContainerRecord>('POST', '/v1/containers', body);
      print(o.json, c, () => `${c.name} on ${c.node}`);
    });

  common(program.command('rm').description('Stop and remove a container the controller deployed').argument('<name>'))
    .action(async (name: string, o: ControllerFlags & { json?: boolean }) => {
      const r = await controllerClient(o).call('DELETE', `/v1/containers/${encodeURIComponent(name)}`);
      print(o.json, r, () => `removed ${name}`);
    });

  common(program.command('ps').description('Containers deployed by the controller, where they run'))
    .action(async (o: ControllerFlags & { json?: boolean }) => {
      const list = await controllerClient(o).call<ContainerRecord[]>('GET', '/v1/containers');
      print(o.json, list, () => formatContainers(list));
    });

  common(program.command('nodes').description('Nodes with state, colour (blue/green/red), Wi = λ·Wm + α·Wc + β·Wn and its parts'))
    .action(async (o: ControllerFlags & { json?: boolean }) => {
      const list = await controllerClient(o).call<NodeReport[]>('GET', '/v1/nodes');
      print(o.json, list, () => formatNodes(list));
    });

  common(program.command('events').description('Every decision (placement, drain, sleep, wake, migration) with its reason and numbers')
    .option('--after <id>', 'only events after this id', '0')
    .option('-f, --follow', 'keep printing new events'))
    .action(async (o: ControllerFlags & { after: string; follow?: boolean; json?: boolean }) => {
      const client = controllerClient(o);
      let after = Number(o.after) || 0;
      for (;;) {
        const list = await client.call<EventRow[]>('GET', `/v1/events?after=${after}`);
        for (const e of list) process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${formatEvent(e)}\n`);
        after = list.at(-1)?.id ?? after;
        if (!o.follow) return;
        await sleep(1000);
      }
    });

  const appType = program.command('app-type').description('Application types: the load model weights λ (memory), α (CPU), β (network)');
  common(appType.command('list').description('Every application type and its weights')).action(async (o: ControllerFlags & { json?: boolean }) => {
    const r = await controllerClient(o).call<Record<string, { memory: number; cpu: number; network: number }>>('GET', '/v1/app-types');
    print(o.json, r, () => Object.entries(r).map(([k, w]) => `${k}\tλ=${w.memory} α=${w.cpu} β=${w.network}`).join('\n'));
  });
  common(appType.command('set').description('Define an application type; the three weights must sum to 1').argument('<name>')
    .requiredOption('--memory <λ>', 'weight of memory utilisation Wm').requiredOption('--cpu <α>', 'weight of CPU utilisation Wc').requiredOption('--network <β>', 'weight of network utilisation Wn'))
    .action(async (name: string, o: ControllerFlags & { memory: string; cpu: string; network: string; json?: boolean }) => {
      const r = await controllerClient(o).call('POST', `/v1/app-types/${encodeURIComponent(name)}`, { memory: Number(o.memory), cpu: Number(o.cpu), network: Number(o.network) });
      print(o.json, r, () => `${name}: λ=${o.memory} α=${o.cpu} β=${o.network}`);
    });

  const policy = program.command('policy').description('Show or set the scheduling policy');
  common(policy.command('show').description('The active policy')).action(async (o: ControllerFlags & { json?: boolean }) => {
    const r = await controllerClient(o).call<{ policy: string }>('GET', '/v1/policy');
    print(o.json, r, () => r.policy);
  });
  common(policy.command('set').description('Switch the policy: elastic, spread, binpack, kube').argument('<name>')).action(async (name: string, o: ControllerFlags & { json?: boolean }) => {
    if (!name) throw new FerryError('FERRY_ERR_INVALID_INPUT', 'name a policy');
    const r = await controllerClient(o).call<{ policy: string }>('POST', '/v1/policy', { name });
    print(o.json, r, () => `policy ${r.policy}`);
  });
}
