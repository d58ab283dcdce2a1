/** @module cmd/ferry/commands/pki — `ferry pki init|issue|rotate|revoke|list|bundle`: the cluster's CA and certificates. */
import { Option, type Command } from 'commander';
import {
  bundleFor, initCa, issueCert, listCerts, revokeCert, rotateCert, subjectFiles, type IssuedCert,
} from '../../../adapters/pki/cluster-pki.ts';
import { certSubject, roleUri } from '../../../domain/pki/cert-subject.ts';
import { validDays } from '../../../domain/pki/revocation.ts';

/** Where the CA and certificates live unless --dir or FERRY_TLS_DIR (config tls.dir, which the agent, controller and CLI read too) says otherwise. */
const DEFAULT_DIR = '/etc/ferry/pki';

interface DirFlags { dir: string }
interface DaysFlags { days?: string }

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const days = (flags: DaysFlags): number | undefined => (flags.days === undefined ? undefined : validDays(Number(flags.days)));

function certLine(c: IssuedCert): string {
  const who = c.peer ? roleUri(c.peer) : '(no ferry role)';
  const state = c.revoked ? 'revoked' : c.state;
  return `${c.serial}  ${state.padEnd(13)} until ${c.notAfter.toISOString().slice(0, 10)}  ${who}  ${c.subjectAltName}`;
}

/** Adds the `pki` command group. */
export function registerPki(program: Command): void {
  const pki = program.command('pki').description('The cluster\'s CA and the certificates of the controller, agents and operators (mutual TLS)');
  const dir = (c: Command): Command => c.addOption(new Option('--dir <dir>', 'the PKI directory (mode 0700; keys 0600)').env('FERRY_TLS_DIR').default(DEFAULT_DIR));

  dir(pki.command('init').description('Create the cluster CA (an ECDSA P-256 key and a self-signed certificate)'))
    .option('--force', 'replace an existing CA: every certificate it issued stops being trusted')
    .option('--days <n>', 'lifetime of the CA certificate in days (default 3650)')
    .action(async (opts: DirFlags & DaysFlags & { force?: boolean }) => {
      const ca = await initCa(opts.dir, { force: opts.force === true, ...(opts.days === undefined ? {} : { days: days(opts) }) });
      process.stdout.write(`cluster CA ${ca.serial} in ${opts.dir}; give ${ca.caCert} to every host, keep ca.key on this one\n`);
    });

  dir(pki.command('issue').description('Issue a key and certificate: controller, agent NAME, operator NAME, or observer NAME (reads health and metrics only: for Prometheus)'))
    .argument('<role>', 'controller, agent, operator or observer')
    .argument('[name]', 'the agent\'s host name or the operator\'s or observer\'s name')
    .option('--ip <address>', 'an address peers dial (repeatable; agents and the controller)', collect)
    .option('--dns <name>', 'a DNS name peers dial (repeatable; agents and the controller)', collect)
    .option('--days <n>', 'lifetime in days (default 365)')
    .action(async (role: string, name: string | undefined, opts: DirFlags & DaysFlags & { ip?: string[]; dns?: string[] }) => {
      const subject = certSubject(role, name, opts.ip ?? [], opts.dns ?? []);
      const c = await issueCert(opts.dir, subject, { ...(opts.days === undefined ? {} : { days: days(opts) }) });
      const files = subjectFiles(opts.dir, subject);
      process.stdout.write(`${certLine(c)}\n  certificate ${files.cert}\n  key         ${files.key} (mode 0600)\n`);
    });

  dir(pki.command('rotate').description('Issue a new key and certificate for the same subject and addresses; the old one is revoked'))
    .argument('<role>', 'controller, agent, operator or observer')
    .argument('[name]', 'the agent\'s host name or the operator\'s or observer\'s name')
    .option('--days <n>', 'lifetime in days (default 365)')
    .action(async (role: string, name: string | undefined, opts: DirFlags & DaysFlags) => {
      const who = certSubject(role, name);
      const { old, issued } = await rotateCert(opts.dir, who, { ...(opts.days === undefined ? {} : { days: days(opts) }) });
      process.stdout.write(`${certLine(issued)}\n  replaces ${old} (now revoked as superseded)\n`);
    });

  dir(pki.command('revoke').description('Revoke a certificate by serial (`ferry pki list` shows them); servers refuse it from then on'))
    .argument('<serial>', 'the certificate\'s serial number, hex')
    .option('--reason <text>', 'why, for the record', 'revoked by operator')
    .action(async (serial: string, opts: DirFlags & { reason: string }) => {
      const c = await revokeCert(opts.dir, serial, opts.reason);
      process.stdout.write(`revoked: ${certLine(c)}\n  copy ${opts.dir}/revoked.json to every host\n`);
    });

  dir(pki.command('bundle').description('Copy what one host (or operator) needs into a directory of its own: ca.crt, revoked.json, its key and certificate — never the CA key'))
    .argument('<role>', 'controller, agent, operator or observer')
    .argument('[name]', 'the agent\'s host name or the operator\'s or observer\'s name')
    .requiredOption('--out <dir>', 'where to put them (made mode 0700); copy it to the host and pass it as --pki-dir')
    .action(async (role: string, name: string | undefined, opts: DirFlags & { out: string }) => {
      const written = await bundleFor(opts.dir, certSubject(role, name), opts.out);
      process.stdout.write(`${written.join('\n')}\n`);
    });

  dir(pki.command('list').description('List the certificates issued: serial, state, expiry, role, addresses'))
    .option('--json', 'print them as JSON')
    .action(async (opts: DirFlags & { json?: boolean }) => {
      const certs = await listCerts(opts.dir);
      if (opts.json) process.stdout.write(`${JSON.stringify(certs, null, 2)}\n`);
      else process.stdout.write(certs.length > 0 ? `${certs.map(certLine).join('\n')}\n` : `no certificates issued in ${opts.dir}\n`);
    });
}
