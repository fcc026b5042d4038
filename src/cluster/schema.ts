/**
 * The shape of the object kinds irsakit's API server accepts, for strict decoding: an unknown field is refused
 * (`strict decoding error: unknown field "spec.containers[0].comand"`) and a value of the wrong JSON type gets
 * encoding/json's sentence. Fields irsakit stores but does not act on are `any`.
 */
export type Schema =
  | 'string'
  | 'int'
  | 'bool'
  | 'any'
  | 'stringMap'
  | 'stringList'
  | { readonly struct: string; readonly fields: Readonly<Record<string, Schema>> }
  | { readonly list: Schema };

const s = 'string' as const;
const i = 'int' as const;
const b = 'bool' as const;
const any = 'any' as const;

const objectMeta: Schema = {
  struct: 'ObjectMeta',
  fields: {
    name: s,
    generateName: s,
    namespace: s,
    selfLink: s,
    uid: s,
    resourceVersion: s,
    generation: i,
    creationTimestamp: any,
    deletionTimestamp: any,
    deletionGracePeriodSeconds: i,
    labels: 'stringMap',
    annotations: 'stringMap',
    ownerReferences: any,
    finalizers: 'stringList',
    managedFields: any,
  },
};

const fieldRef: Schema = { struct: 'ObjectFieldSelector', fields: { apiVersion: s, fieldPath: s } };

const envVar: Schema = {
  struct: 'EnvVar',
  fields: {
    name: s,
    value: s,
    valueFrom: {
      struct: 'EnvVarSource',
      fields: { fieldRef, resourceFieldRef: any, configMapKeyRef: any, secretKeyRef: any, fileKeyRef: any },
    },
  },
};

const volumeMount: Schema = {
  struct: 'VolumeMount',
  fields: {
    name: s,
    readOnly: b,
    recursiveReadOnly: s,
    mountPath: s,
    subPath: s,
    mountPropagation: s,
    subPathExpr: s,
  },
};

const containerSecurityContext: Schema = {
  struct: 'SecurityContext',
  fields: {
    capabilities: any,
    privileged: b,
    seLinuxOptions: any,
    windowsOptions: any,
    runAsUser: i,
    runAsGroup: i,
    runAsNonRoot: b,
    readOnlyRootFilesystem: b,
    allowPrivilegeEscalation: b,
    procMount: s,
    seccompProfile: any,
    appArmorProfile: any,
  },
};

const podSecurityContext: Schema = {
  struct: 'PodSecurityContext',
  fields: {
    seLinuxOptions: any,
    windowsOptions: any,
    runAsUser: i,
    runAsGroup: i,
    runAsNonRoot: b,
    supplementalGroups: { list: i },
    supplementalGroupsPolicy: s,
    fsGroup: i,
    sysctls: any,
    fsGroupChangePolicy: s,
    seccompProfile: any,
    appArmorProfile: any,
    seLinuxChangePolicy: s,
  },
};

const container: Schema = {
  struct: 'Container',
  fields: {
    name: s,
    image: s,
    command: 'stringList',
    args: 'stringList',
    workingDir: s,
    ports: any,
    envFrom: any,
    env: { list: envVar },
    resources: any,
    resizePolicy: any,
    restartPolicy: s,
    restartPolicyRules: any,
    volumeMounts: { list: volumeMount },
    volumeDevices: any,
    livenessProbe: any,
    readinessProbe: any,
    startupProbe: any,
    lifecycle: any,
    terminationMessagePath: s,
    terminationMessagePolicy: s,
    imagePullPolicy: s,
    securityContext: containerSecurityContext,
    stdin: b,
    stdinOnce: b,
    tty: b,
  },
};

const projectedSource: Schema = {
  struct: 'VolumeProjection',
  fields: {
    serviceAccountToken: {
      struct: 'ServiceAccountTokenProjection',
      fields: { audience: s, expirationSeconds: i, path: s },
    },
    secret: any,
    configMap: any,
    downwardAPI: any,
    clusterTrustBundle: any,
    podCertificate: any,
  },
};

/** Volume sources: irsakit runs projected and emptyDir; the others are stored (and refused at run time). */
const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;
export const KNOWN_VOLUME_SOURCES: readonly string[] = VOLUME_SOURCES;

const volume: Schema = {
  struct: 'Volume',
  fields: {
    name: s,
    ...Object.fromEntries(VOLUME_SOURCES.map((k) => [k, any])),
    projected: {
      struct: 'ProjectedVolumeSource',
      fields: { sources: { list: projectedSource }, defaultMode: i },
    },
    emptyDir: { struct: 'EmptyDirVolumeSource', fields: { medium: s, sizeLimit: any } },
  },
};

const podSpec: Schema = {
  struct: 'PodSpec',
  fields: {
    volumes: { list: volume },
    initContainers: { list: container },
    containers: { list: container },
    ephemeralContainers: any,
    restartPolicy: s,
    terminationGracePeriodSeconds: i,
    activeDeadlineSeconds: i,
    dnsPolicy: s,
    nodeSelector: 'stringMap',
    serviceAccountName: s,
    serviceAccount: s,
    automountServiceAccountToken: b,
    nodeName: s,
    hostNetwork: b,
    hostPID: b,
    hostIPC: b,
    shareProcessNamespace: b,
    securityContext: podSecurityContext,
    imagePullSecrets: any,
    hostname: s,
    subdomain: s,
    affinity: any,
    schedulerName: s,
    tolerations: any,
    hostAliases: any,
    priorityClassName: s,
    priority: i,
    dnsConfig: any,
    readinessGates: any,
    runtimeClassName: s,
    enableServiceLinks: b,
    preemptionPolicy: s,
    overhead: any,
    topologySpreadConstraints: any,
    setHostnameAsFQDN: b,
    os: any,
    hostUsers: b,
    schedulingGates: any,
    resourceClaims: any,
    resources: any,
    hostnameOverride: s,
  },
};

const labelSelector: Schema = {
  struct: 'LabelSelector',
  fields: {
    matchLabels: 'stringMap',
    matchExpressions: {
      list: { struct: 'LabelSelectorRequirement', fields: { key: s, operator: s, values: 'stringList' } },
    },
  },
};

const mutatingWebhook: Schema = {
  struct: 'MutatingWebhook',
  fields: {
    name: s,
    clientConfig: { struct: 'WebhookClientConfig', fields: { url: s, service: any, caBundle: s } },
    rules: {
      list: {
        struct: 'RuleWithOperations',
        fields: {
          operations: 'stringList',
          apiGroups: 'stringList',
          apiVersions: 'stringList',
          resources: 'stringList',
          scope: s,
        },
      },
    },
    failurePolicy: s,
    matchPolicy: s,
    namespaceSelector: labelSelector,
    objectSelector: labelSelector,
    sideEffects: s,
    timeoutSeconds: i,
    admissionReviewVersions: 'stringList',
    reinvocationPolicy: s,
    matchConditions: any,
  },
};

function top(kind: string, fields: Record<string, Schema>): Schema {
  return { struct: kind, fields: { apiVersion: s, kind: s, metadata: objectMeta, ...fields } };
}

/** apiVersion and schema of every kind irsakit's API server serves. */
export const KINDS: Readonly<Record<string, { apiVersion: string; schema: Schema; namespaced: boolean }>> = {
  Namespace: { apiVersion: 'v1', schema: top('Namespace', { spec: any, status: any }), namespaced: false },
  ServiceAccount: {
    apiVersion: 'v1',
    schema: top('ServiceAccount', { secrets: any, imagePullSecrets: any, automountServiceAccountToken: b }),
    namespaced: true,
  },
  Pod: { apiVersion: 'v1', schema: top('Pod', { spec: podSpec, status: any }), namespaced: true },
  MutatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    schema: top('MutatingWebhookConfiguration', { webhooks: { list: mutatingWebhook } }),
    namespaced: false,
  },
};

export interface DecodeProblems {
  /** `unknown field "spec.containers[0].comand"` */
  readonly unknown: string[];
  /** encoding/json's type errors. */
  readonly types: string[];
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function goType(schema: Schema): string {
  if (schema === 'string') return 'string';
  if (schema === 'int') return 'int64';
  if (schema === 'bool') return 'bool';
  if (schema === 'stringMap') return 'map[string]string';
  if (schema === 'stringList') return '[]string';
  if (schema === 'any') return 'interface {}';
  if ('list' in schema) return `[]${goType(schema.list)}`;
  return `v1.${schema.struct}`;
}

/** Walks `value` against `schema`, collecting what strict decoding would refuse. Null is always accepted. */
export function decode(
  value: unknown,
  schema: Schema,
  path: string,
  goPath: string,
  struct: string,
  out: DecodeProblems,
): void {
  if (value === null || value === undefined || schema === 'any') return;
  const typeError = (): void => {
    out.types.push(
      `json: cannot unmarshal ${jsonType(value)} into Go struct field ${struct}.${goPath} of type ${goType(schema)}`,
    );
  };
  if (schema === 'string') {
    if (typeof value !== 'string') typeError();
    return;
  }
  if (schema === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value)) typeError();
    return;
  }
  if (schema === 'bool') {
    if (typeof value !== 'boolean') typeError();
    return;
  }
  if (schema === 'stringMap') {
    if (jsonType(value) !== 'object') {
      typeError();
      return;
    }
    for (const [k, v] of Object.entries(value as object)) {
      if (typeof v !== 'string' && v !== null) {
        out.types.push(
          `json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${goPath}.${k} of type string`,
        );
      }
    }
    return;
  }
  if (schema === 'stringList') {
    if (!Array.isArray(value)) {
      typeError();
      return;
    }
    for (const v of value) {
      if (typeof v !== 'string')
        out.types.push(
          `json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${goPath} of type string`,
        );
    }
    return;
  }
  if ('list' in schema) {
    if (!Array.isArray(value)) {
      typeError();
      return;
    }
    value.forEach((v, n) => {
      decode(v, schema.list, `${path}[${n}]`, goPath, struct, out);
    });
    return;
  }
  if (jsonType(value) !== 'object') {
    typeError();
    return;
  }
  for (const [k, v] of Object.entries(value as object)) {
    const child = schema.fields[k];
    const p = path ? `${path}.${k}` : k;
    if (!child) {
      out.unknown.push(`unknown field "${p}"`);
      continue;
    }
    decode(v, child, p, goPath ? `${goPath}.${k}` : k, schema.struct, out);
  }
}
