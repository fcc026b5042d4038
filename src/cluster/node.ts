import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_METADATA_OPTIONS, type InstanceIdentity, type MetadataOptions } from '../imds/index.js';
import type { ObjectStore } from './object-store.js';
import type { KubeObject } from './types.js';

/** The cluster's one node: an EC2 instance as far as its pods and its metadata service can tell. */
export interface NodeRecord {
  readonly name: string;
  readonly uid: string;
  readonly instanceId: string;
  readonly privateIp: string;
  readonly mac: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly createdAt: number;
}

export interface ClusterNode {
  readonly record: NodeRecord;
  readonly labels: Record<string, string>;
  metadataOptions(): MetadataOptions;
  setMetadataOptions(options: MetadataOptions): void;
  identity(): InstanceIdentity;
  /** The Node object `get node -o yaml` shows. */
  object(): KubeObject;
}

/** Loads the node, creating it (instance id, private address, name) the first time the data directory is used. */
export function loadNode(
  objects: ObjectStore,
  opts: {
    region: string;
    account: string;
    now: () => number;
    random?: (n: number) => Buffer;
    uuid?: () => string;
    hostIP: string;
  },
): ClusterNode {
  let record = objects.getKv<NodeRecord>('node');
  if (!record) {
    const rnd = opts.random ?? randomBytes;
    const b = rnd(12);
    const ip = `192.168.${b[0]! % 64}.${(b[1]! % 253) + 1}`;
    const suffix = opts.region === 'us-east-1' ? 'ec2.internal' : `${opts.region}.compute.internal`;
    record = {
      name: `ip-${ip.replaceAll('.', '-')}.${suffix}`,
      uid: (opts.uuid ?? randomUUID)(),
      instanceId: `i-${b.subarray(2, 11).toString('hex').slice(0, 17)}`,
      privateIp: ip,
      mac: `0e:${[...b.subarray(6, 11)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`,
      imageId: 'ami-0irsakit0eks0node',
      instanceType: 'm5.large',
      createdAt: opts.now(),
    };
    objects.setKv('node', record);
    objects.setKv('metadataOptions', DEFAULT_METADATA_OPTIONS);
  }
  const rec = record;
  let options = objects.getKv<MetadataOptions>('metadataOptions') ?? DEFAULT_METADATA_OPTIONS;
  const az = `${opts.region}a`;
  const labels = {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': rec.name,
    'node.kubernetes.io/instance-type': rec.instanceType,
    'topology.kubernetes.io/region': opts.region,
    'topology.kubernetes.io/zone': az,
    'eks.amazonaws.com/nodegroup': 'irsakit',
  };
  return {
    record: rec,
    labels,
    metadataOptions: () => options,
    setMetadataOptions(next) {
      objects.setKv('metadataOptions', next);
      options = next;
    },
    identity: () => ({
      instanceId: rec.instanceId,
      instanceType: rec.instanceType,
      imageId: rec.imageId,
      privateIp: rec.privateIp,
      hostname: rec.name,
      mac: rec.mac,
      region: opts.region,
      availabilityZone: az,
      accountId: opts.account,
      launchedAt: rec.createdAt,
    }),
    object: () => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: rec.name,
        uid: rec.uid,
        creationTimestamp: new Date(rec.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        labels,
        annotations: { 'irsakit.dev/metadata-options': JSON.stringify(options) },
      },
      spec: { providerID: `aws:///${az}/${rec.instanceId}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: rec.privateIp },
          { type: 'Hostname', address: rec.name },
          { type: 'irsakit/LocalAddress', address: opts.hostIP },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        nodeInfo: { kubeletVersion: 'v1.31.0-irsakit', operatingSystem: 'linux', architecture: 'amd64' },
      },
    }),
  };
}
