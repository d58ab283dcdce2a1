/** @module tools/testbed/net — the test bed's network: bridge, namespaces, veth pairs, tbf shaping, link state. */
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { run, runOrThrow, type RunResult } from '../../adapters/host/run.ts';
import { bridgeCommands, clientNetCommands, hostNetCommands, tbfCommand, type CommandLine } from './commands.ts';
import { parseIpLinkNames, parseIpLinkState, parseRootQdisc, type QdiscInfo } from './parse.ts';
import type { HostPlan, TestbedPlan } from './plan.ts';

const FIX = 'run `ferry testbed down`, then `ferry testbed up` again (as root)';

function exec(cmd: CommandLine): Promise<RunResult> {
  return runOrThrow('FERRY_ERR_TESTBED', cmd.file, cmd.args, FIX, { timeoutMs: 30_000 });
}

/** Names of the interfaces in the root namespace. */
export async function rootLinks(): Promise<Set<string>> {
  const r = await runOrThrow('FERRY_ERR_TESTBED', 'ip', ['-j', 'link', 'show'], FIX);
  return new Set(parseIpLinkNames(r.stdout));
}

/** True when the named network namespace exists. */
export function netnsExists(netns: string): Promise<boolean> {
  return access(`/var/run/netns/${netns}`).then(() => true, () => false);
}

/** Creates the bridge of the test bed, with its address and the cluster network's gateway, up. */
export async function createBridge(plan: TestbedPlan): Promise<void> {
  for (const cmd of bridgeCommands(plan.bridge, plan.bridgeCidr)) await exec(cmd);
  await exec({ file: 'ip', args: ['addr', 'add', `${plan.clusterNet.gateway}/24`, 'dev', plan.bridge] });
}

/** Creates the client host: its namespace and veth on the bridge, with an address on the cluster network's subnet. */
export async function createClientNet(plan: TestbedPlan): Promise<void> {
  for (const cmd of clientNetCommands(plan.client, plan.bridge)) await exec(cmd);
}

/** Creates a host's namespace and veth pair, addresses it and attaches it to the bridge. */
export async function createHostNet(plan: TestbedPlan, host: HostPlan): Promise<void> {
  const via = { bridgeIp: plan.bridgeCidr.split('/')[0] as string, storageAddress: plan.storageAddress };
  for (const cmd of hostNetCommands(host, plan.bridge, via)) await exec(cmd);
}

/** Shapes egress of both ends of a host's veth pair with tbf. */
export async function shapeHost(host: HostPlan, mbit: number): Promise<void> {
  await exec(tbfCommand(host.vethRoot, mbit));
  await exec(tbfCommand(host.ifname, mbit, host.netns));
}

/** The root qdisc of a device (in a namespace when given), or null. */
export async function rootQdisc(dev: string, netns?: string): Promise<QdiscInfo | null> {
  const r = await run('tc', [...(netns ? ['-n', netns] : []), 'qdisc', 'show', 'dev', dev], { timeoutMs: 10_000 });
  return r.code === 0 ? parseRootQdisc(r.stdout) : null;
}

/** Brings a host's veth (its root-namespace end, hence its only link) up or down. */
export async function setVethState(veth: string, state: 'up' | 'down'): Promise<void> {
  await exec({ file: 'ip', args: ['link', 'set', veth, state] });
}

/** The state of a root-namespace link, or null when it does not exist. */
export async function linkState(dev: string): Promise<{ operstate: string; adminUp: boolean } | null> {
  const r = await run('ip', ['-j', 'link', 'show', 'dev', dev], { timeoutMs: 10_000 });
  return r.code === 0 ? parseIpLinkState(r.stdout) : null;
}

/** Deletes the plan's namespaces, veths and bridge that exist; returns what was removed. */
export async function deleteNet(plan: TestbedPlan): Promise<string[]> {
  const removed: string[] = [];
  for (const host of [...plan.hosts, plan.client]) {
    if (await netnsExists(host.netns)) {
      await exec({ file: 'ip', args: ['netns', 'delete', host.netns] });
      removed.push(`netns ${host.netns}`);
    }
  }
  const links = await rootLinks();
  for (const host of [...plan.hosts, plan.client]) {
    for (const dev of [host.vethRoot, host.vethPeer]) {
      if (!links.has(dev)) continue;
      const r = await run('ip', ['link', 'delete', dev], { timeoutMs: 10_000 });
      if (r.code === 0) removed.push(`veth ${dev}`);
      // deleting one end removes its peer too
      if (dev === host.vethRoot) links.delete(host.vethPeer);
    }
  }
  if (links.has(plan.bridge)) {
    await exec({ file: 'ip', args: ['link', 'delete', plan.bridge] });
    removed.push(`bridge ${plan.bridge}`);
  }
  await waitLinksGone(plan);
  return removed;
}

/** Waits (up to 10 s) until the kernel has destroyed the plan's links (namespace teardown is asynchronous). */
async function waitLinksGone(plan: TestbedPlan): Promise<void> {
  const names = new Set([plan.bridge, ...[...plan.hosts, plan.client].flatMap((h) => [h.vethRoot, h.vethPeer])]);
  const end = Date.now() + 10_000;
  for (;;) {
    const left = [...(await rootLinks())].filter((l) => names.has(l));
    if (left.length === 0) return;
    if (Date.now() > end) throw new FerryError('FERRY_ERR_TESTBED', `links ${left.join(', ')} are still present after deletion; delete them with \`ip link delete NAME\``);
    for (const dev of left) await run('ip', ['link', 'delete', dev], { timeoutMs: 10_000 });
    await sleep(100);
  }
}
