/** @module storage/ceph — the project's own Ceph cluster on this machine (monitor, manager, OSDs on files, radosgw serving S3). */
export { storageUp, type StorageUp, type StorageUpOptions } from './up.ts';
export { storageDown, type StorageDownOptions } from './down.ts';
export { storageStatus, formatStorageStatus, type StorageStatus } from './status.ts';
export { readCredentials, type S3Credentials } from './s3-user.ts';
export { rgwClient } from './bucket.ts';
export { planCeph, planFromConfig, isDaemon, INTERFACE, RGW_NAME, S3_UID, CEPH_BINARIES, type CephPlan, type CephPlanInput, type DaemonPlan, type DaemonKind } from './plan.ts';
export { cephConf, TUNING } from './conf.ts';
export { parseClusterHealth, clusterServes, describeHealth, type ClusterHealth } from './health.ts';
