import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { loadAfter, loadOf, modelFromRatio, nodeLoad, utilisationAfter, validateParams, validateWeights, weightsFor } from './load-model.ts';
import { params, PARAMS, res } from './test-support.ts';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} ≠ ${b}`);
const code = (fn: () => unknown, c: string, re?: RegExp) => assert.throws(fn, (e: unknown) => e instanceof FerryError && e.code === c && (!re || re.test(e.message)));

test('the paper\'s 3:5:2 for a CPU-intensive app: λ 0.3, α 0.5, β 0.2, and Wi by hand', () => {
  const w = modelFromRatio(3, 5, 2);
  close(w.memory, 0.3);
  close(w.cpu, 0.5);
  close(w.network, 0.2);
  // Wm 0.6, Wc 0.8, Wn 0.25: 0.3·0.6 + 0.5·0.8 + 0.2·0.25 = 0.18 + 0.40 + 0.05 = 0.63
  const l = nodeLoad({ memory: 0.6, cpu: 0.8, network: 0.25 }, w);
  close(l.memory, 0.18);
  close(l.cpu, 0.4);
  close(l.network, 0.05);
  close(l.total, 0.63);
  close(loadOf({ memory: 0.6, cpu: 0.8, network: 0.25 }, w), 0.63);
});

test('the config\'s cpu-intensive type is 3:5:2', () => {
  assert.deepEqual(weightsFor('cpu-intensive', PARAMS), { memory: 0.3, cpu: 0.5, network: 0.2 });
});

test('an unknown app type names the known ones', () => {
  code(() => weightsFor('gpu-intensive', PARAMS), 'FERRY_ERR_UNKNOWN_APP_TYPE', /"gpu-intensive".*balanced, cpu-intensive, memory-intensive, network-intensive/);
  code(() => weightsFor('toString', PARAMS), 'FERRY_ERR_UNKNOWN_APP_TYPE');
});

test('weights must each be in [0, 1] and sum to 1 within 1e-6', () => {
  validateWeights({ memory: 0.34, cpu: 0.33, network: 0.33 });
  validateWeights({ memory: 0.3333333, cpu: 0.3333333, network: 0.3333334 });
  code(() => validateWeights({ memory: 0.3, cpu: 0.5, network: 0.3 }), 'FERRY_ERR_BAD_WEIGHTS', /sum to 1.*memory λ=0.3, cpu α=0.5, network β=0.3 \(sum 1.1\)/);
  code(() => validateWeights({ memory: 0.3, cpu: 0.5, network: 0.19 }), 'FERRY_ERR_BAD_WEIGHTS', /sum 0.99/);
  code(() => validateWeights({ memory: -0.2, cpu: 0.7, network: 0.5 }), 'FERRY_ERR_BAD_WEIGHTS', /between 0 and 1/);
  code(() => validateWeights({ memory: 1.5, cpu: -0.5, network: 0 }), 'FERRY_ERR_BAD_WEIGHTS', /between 0 and 1/);
  code(() => validateWeights({ memory: Number.NaN, cpu: 0.5, network: 0.5 }), 'FERRY_ERR_BAD_WEIGHTS');
  code(() => modelFromRatio(0, 0, 0), 'FERRY_ERR_BAD_WEIGHTS');
});

test('validateParams checks every app type, the default type and the thresholds', () => {
  validateParams(PARAMS);
  code(() => validateParams(params({ appTypes: { ...PARAMS.appTypes, odd: { memory: 0.5, cpu: 0.5, network: 0.5 } } })), 'FERRY_ERR_BAD_WEIGHTS', /scheduler\.appTypes\.odd/);
  code(() => validateParams(params({ defaultAppType: 'nope' })), 'FERRY_ERR_UNKNOWN_APP_TYPE');
  code(() => validateParams(params({ greenBelow: 0.8, redAbove: 0.75 })), 'FERRY_ERR_CONFIG', /greenBelow \(0.8\) must be below scheduler.redAbove \(0.75\)/);
  code(() => validateParams(params({ greenBelow: 0.4, redAbove: 0.5, hysteresis: 0.1 })), 'FERRY_ERR_CONFIG', /hysteresis/);
  code(() => validateParams(params({ cooldownMs: Number.NaN })), 'FERRY_ERR_CONFIG', /cooldownMs/);
});

test('utilisation after adding and after removing a container', () => {
  const cap = res(4000, 8192, 1000);
  const u = { cpu: 0.5, memory: 0.25, network: 0.1 };
  const add = utilisationAfter(u, cap, res(1000, 2048, 100));
  assert.deepEqual(add, { cpu: 0.75, memory: 0.5, network: 0.2 });
  const rm = utilisationAfter(u, cap, res(1000, 4096, 200), -1);
  assert.deepEqual(rm, { cpu: 0.25, memory: 0, network: 0 }, 'never below zero');
  const w = weightsFor('balanced', PARAMS);
  close(loadAfter(u, cap, res(1000, 2048, 100), w), 0.34 * 0.5 + 0.33 * 0.75 + 0.33 * 0.2);
  assert.equal(loadAfter(u, res(4000, 8192, 0), res(0, 0, 10), w), Number.POSITIVE_INFINITY, 'network asked of a node without network');
});
