/**
 * @module tools/workloads/clients/fake-servers.test-support — small in-process stand-ins for redis,
 * lighttpd and dnsmasq on loopback, so the client programs can be run whole in unit tests:
 * each can misbehave once (reset a connection, drop queries) the way a move might.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { LARGE_PATH, SMALL_BODY, SMALL_PATH, largeBody } from '../services-spec.ts';
import { RespError, RespParser, type RespValue } from './resp.ts';

/** A running fake: its port, and how to stop it. */
export interface Fake { port: number; close(): Promise<void> }

/** A RESP server holding SET/GET in `store`; resets (RST) its first connection after `resetAfter` commands. */
export async function fakeRedis(store: Map<string, string>, resetAfter = Infinity): Promise<Fake> {
  let first = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const parser = new RespParser();
    const mayReset = first;
    first = false;
    let commands = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const cmd of parser.push(chunk)) {
        if (mayReset && ++commands > resetAfter) { socket.resetAndDestroy(); return; }
        socket.write(reply(store, cmd));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

function reply(store: Map<string, string>, cmd: RespValue): string {
  const [op, key, value] = Array.isArray(cmd) ? cmd.map(String) : [];
  if (op === 'SET' && key !== undefined && value !== undefined) { store.set(key, value); return '+OK\r\n'; }
  if (op === 'GET' && key !== undefined) {
    const v = store.get(key);
    return v === undefined ? '$-1\r\n' : `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  }
  return `-${new RespError(`ERR unknown command ${op}`).message}\r\n`;
}

/** An HTTP server with the two static files of the services image. */
export async function fakeHttp(): Promise<Fake> {
  const large = largeBody();
  const server = http.createServer((req, res) => {
    const body = req.url === SMALL_PATH ? Buffer.from(SMALL_BODY) : req.url === LARGE_PATH ? large : undefined;
    res.writeHead(body ? 200 : 404, { 'content-length': body?.length ?? 0 });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A DNS server answering every A query with `address` (as dnsmasq does with --address); drops its first `drop` queries. */
export async function fakeDns(address: string, drop = 0): Promise<Fake> {
  const socket = dgram.createSocket('udp4');
  let dropped = 0;
  socket.on('message', (query, from) => {
    if (dropped++ < drop) return;
    const answer = Buffer.from(query);
    answer.writeUInt16BE(0x8180, 2);
    answer.writeUInt16BE(1, 6);
    const rr = Buffer.from('c00c' + '0001' + '0001' + '00000000' + '0004', 'hex'); // name → the question, A, IN, TTL 0, 4 bytes
    socket.send(Buffer.concat([answer, rr, Buffer.from(address.split('.').map(Number))]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
