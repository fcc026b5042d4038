import { dns1123LabelErrors, dns1123SubdomainErrors } from '../kube/index.js';
import { KNOWN_VOLUME_SOURCES } from './schema.js';
import {
  duplicate,
  type FieldError,
  forbiddenField,
  invalidValue,
  notSupported,
  required,
} from './status.js';
import type { Container, KubeObject, MutatingWebhookConfiguration, Pod, Volume } from './types.js';

const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const ENV_NAME_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const MAX_INT32 = 2_147_483_647;
/** TokenRequest's bounds (ValidateTokenRequest): at least 10 minutes, at most 2^32 seconds. */
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

function nameErrors(field: string, value: string, label: boolean): FieldError[] {
  const errs = label ? dns1123LabelErrors(value) : dns1123SubdomainErrors(value);
  return errs.length ? [invalidValue(field, value, errs.join(', '))] : [];
}

function metaErrors(obj: KubeObject, label: boolean): FieldError[] {
  const name = obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}x` : '');
  if (!name)
    return [
      {
        ...required('metadata.name'),
        message: 'metadata.name: Required value: name or generateName is required',
      },
    ];
  return nameErrors('metadata.name', name, label);
}

/** kube-apiserver's validation for the kinds irsakit serves (ValidatePod*, ValidateServiceAccount, …). */
export function validateObject(obj: KubeObject): FieldError[] {
  switch (obj.kind) {
    case 'Namespace':
      return metaErrors(obj, true);
    case 'ServiceAccount':
      return metaErrors(obj, false);
    case 'Pod':
      return [...metaErrors(obj, false), ...validatePodSpec(obj as Pod)];
    case 'MutatingWebhookConfiguration':
      return [
        ...metaErrors(obj, false),
        ...validateWebhookConfiguration(obj as MutatingWebhookConfiguration),
      ];
    default:
      return [];
  }
}

function validateId(field: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'number' && v >= 0 && v <= MAX_INT32
    ? []
    : [invalidValue(field, v, `must be between 0 and ${MAX_INT32}, inclusive`)];
}

function validatePodSpec(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const volumes = spec.volumes ?? [];
  const volumeNames = new Set<string>();
  volumes.forEach((v, n) => {
    errs.push(...validateVolume(v, `spec.volumes[${n}]`));
    if (v?.name && volumeNames.has(v.name)) errs.push(duplicate(`spec.volumes[${n}].name`, v.name));
    if (v?.name) volumeNames.add(v.name);
  });
  const containerNames = new Set<string>();
  const lists: ['initContainers' | 'containers', Container[]][] = [
    ['initContainers', spec.initContainers ?? []],
    ['containers', spec.containers ?? []],
  ];
  if (!spec.containers || spec.containers.length === 0) errs.push(required('spec.containers'));
  for (const [list, containers] of lists) {
    containers.forEach((c, n) => {
      const base = `spec.${list}[${n}]`;
      if (!c || typeof c !== 'object') {
        errs.push(required(base));
        return;
      }
      if (!c.name) errs.push(required(`${base}.name`));
      else {
        errs.push(...nameErrors(`${base}.name`, c.name, true));
        if (containerNames.has(c.name)) errs.push(duplicate(`${base}.name`, c.name));
        containerNames.add(c.name);
      }
      if (!c.image) errs.push(required(`${base}.image`));
      (c.env ?? []).forEach((e, k) => {
        if (!e?.name) errs.push(required(`${base}.env[${k}].name`));
        else if (!ENV_NAME_RE.test(e.name))
          errs.push(invalidValue(`${base}.env[${k}].name`, e.name, ENV_NAME_MSG));
        if (e?.valueFrom && e.value) {
          errs.push(
            invalidValue(`${base}.env[${k}].valueFrom`, '', 'may not be specified when `value` is not empty'),
          );
        }
      });
      const paths = new Set<string>();
      (c.volumeMounts ?? []).forEach((m, k) => {
        const mb = `${base}.volumeMounts[${k}]`;
        if (!m?.name) errs.push(required(`${mb}.name`));
        else if (!volumeNames.has(m.name))
          errs.push({
            field: `${mb}.name`,
            type: 'FieldValueInvalid',
            message: `${mb}.name: Not found: "${m.name}"`,
          });
        if (!m?.mountPath) errs.push(required(`${mb}.mountPath`));
        else {
          if (paths.has(m.mountPath))
            errs.push(invalidValue(`${mb}.mountPath`, m.mountPath, 'must be unique'));
          paths.add(m.mountPath);
          if (!m.mountPath.startsWith('/')) {
            errs.push(
              invalidValue(
                `${mb}.mountPath`,
                m.mountPath,
                'must be an absolute path (irsakit runs Linux pods only)',
              ),
            );
          }
        }
        if (m?.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
          errs.push(invalidValue(`${mb}.subPath`, m.subPath, "must be a relative path without '..'"));
        }
      });
      errs.push(...validateId(`${base}.securityContext.runAsUser`, c.securityContext?.runAsUser));
      errs.push(...validateId(`${base}.securityContext.runAsGroup`, c.securityContext?.runAsGroup));
    });
  }
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
    errs.push(notSupported('spec.restartPolicy', spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  const sa = spec.serviceAccountName;
  if (sa) errs.push(...nameErrors('spec.serviceAccountName', sa, false));
  const sc = spec.securityContext;
  errs.push(...validateId('spec.securityContext.runAsUser', sc?.runAsUser));
  errs.push(...validateId('spec.securityContext.runAsGroup', sc?.runAsGroup));
  errs.push(...validateId('spec.securityContext.fsGroup', sc?.fsGroup));
  (sc?.supplementalGroups ?? []).forEach((g, n) => {
    errs.push(...validateId(`spec.securityContext.supplementalGroups[${n}]`, g));
  });
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(
      invalidValue(
        'spec.terminationGracePeriodSeconds',
        spec.terminationGracePeriodSeconds,
        'must be greater than or equal to 0',
      ),
    );
  }
  return errs;
}

function validateMode(field: string, mode: unknown): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && mode >= 0 && mode <= 0o777
    ? []
    : [invalidValue(field, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
}

function validateVolume(v: Volume, base: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!v || typeof v !== 'object') return [required(base)];
  if (!v.name) errs.push(required(`${base}.name`));
  else errs.push(...nameErrors(`${base}.name`, v.name, true));
  const sources = Object.keys(v).filter(
    (k) => k !== 'name' && KNOWN_VOLUME_SOURCES.includes(k) && v[k] != null,
  );
  if (sources.length === 0)
    errs.push({ ...required(base), message: `${base}: Required value: must specify a volume type` });
  if (sources.length > 1) {
    errs.push(forbiddenField(`${base}.${sources[1]}`, `may not specify more than 1 volume type`));
  }
  if (v.projected) {
    errs.push(...validateMode(`${base}.projected.defaultMode`, v.projected.defaultMode));
    const paths = new Set<string>();
    let tokens = 0;
    (v.projected.sources ?? []).forEach((src, n) => {
      const sb = `${base}.projected.sources[${n}]`;
      const t = src?.serviceAccountToken;
      if (!t) return;
      tokens++;
      if (tokens > 1)
        errs.push(
          forbiddenField(
            `${sb}.serviceAccountToken`,
            'may not have more than one service account token source',
          ),
        );
      const tb = `${sb}.serviceAccountToken`;
      if (!t.path) errs.push(required(`${tb}.path`));
      else {
        if (t.path.startsWith('/') || t.path.split('/').includes('..')) {
          errs.push(invalidValue(`${tb}.path`, t.path, "must be a relative path without '..'"));
        }
        if (paths.has(t.path)) errs.push(invalidValue(`${tb}.path`, t.path, 'conflicting duplicate paths'));
        paths.add(t.path);
      }
      const exp = t.expirationSeconds;
      if (exp !== undefined && exp < MIN_TOKEN_SECONDS) {
        errs.push(
          invalidValue(`${tb}.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'),
        );
      }
      if (exp !== undefined && exp > MAX_TOKEN_SECONDS) {
        errs.push(
          invalidValue(`${tb}.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'),
        );
      }
    });
  }
  return errs;
}

function validateWebhookConfiguration(obj: MutatingWebhookConfiguration): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (obj.webhooks ?? []).forEach((w, n) => {
    const base = `webhooks[${n}]`;
    if (!w?.name) errs.push(required(`${base}.name`));
    else {
      if (w.name.split('.').length < 3 || dns1123SubdomainErrors(w.name).length > 0) {
        errs.push(
          invalidValue(
            `${base}.name`,
            w.name,
            'should be a domain with at least three segments separated by dots',
          ),
        );
      }
      if (names.has(w.name)) errs.push(duplicate(`${base}.name`, w.name));
      names.add(w.name);
    }
    const cc = w?.clientConfig;
    const hasUrl = Boolean(cc?.url);
    const hasService = Boolean(cc?.service);
    if (hasUrl === hasService) {
      errs.push({
        ...required(`${base}.clientConfig`),
        message: `${base}.clientConfig: Required value: exactly one of url or service is required`,
      });
    } else if (hasUrl) {
      let u: URL | undefined;
      try {
        u = new URL(cc!.url!);
      } catch {
        errs.push(invalidValue(`${base}.clientConfig.url`, cc!.url, 'host must be specified'));
      }
      if (u && u.protocol !== 'https:') {
        errs.push(
          invalidValue(`${base}.clientConfig.url`, cc!.url, "'https' is the only allowed URL scheme"),
        );
      }
      if (u && (u.search || u.hash)) {
        errs.push(
          invalidValue(`${base}.clientConfig.url`, cc!.url, 'query parameters and fragments are not allowed'),
        );
      }
    }
    if (cc?.caBundle) {
      const pem = Buffer.from(cc.caBundle, 'base64').toString('utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
        errs.push(
          invalidValue(
            `${base}.clientConfig.caBundle`,
            '(base64)',
            'must be base64 of PEM-encoded certificates',
          ),
        );
      }
    }
    if (w?.failurePolicy !== undefined && !['Ignore', 'Fail'].includes(w.failurePolicy)) {
      errs.push(notSupported(`${base}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']));
    }
    if (!w?.sideEffects) {
      errs.push({
        ...required(`${base}.sideEffects`),
        message: `${base}.sideEffects: Required value: must specify one of None, NoneOnDryRun`,
      });
    } else if (!['None', 'NoneOnDryRun'].includes(w.sideEffects)) {
      errs.push(notSupported(`${base}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']));
    }
    if (!w?.admissionReviewVersions || w.admissionReviewVersions.length === 0) {
      errs.push({
        ...required(`${base}.admissionReviewVersions`),
        message: `${base}.admissionReviewVersions: Required value: must specify one of v1, v1beta1`,
      });
    } else if (!w.admissionReviewVersions.some((v) => v === 'v1' || v === 'v1beta1')) {
      errs.push(
        invalidValue(
          `${base}.admissionReviewVersions`,
          w.admissionReviewVersions,
          'must include at least one of v1, v1beta1',
        ),
      );
    }
    if (w?.timeoutSeconds !== undefined && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) {
      errs.push(
        invalidValue(
          `${base}.timeoutSeconds`,
          w.timeoutSeconds,
          'the timeout value must be between 1 and 30 seconds',
        ),
      );
    }
    (w?.rules ?? []).forEach((r, k) => {
      for (const op of r.operations ?? []) {
        if (!['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)) {
          errs.push(
            notSupported(`${base}.rules[${k}].operations`, op, [
              '*',
              'CONNECT',
              'CREATE',
              'DELETE',
              'UPDATE',
            ]),
          );
        }
      }
    });
    for (const [which, sel] of [
      ['namespaceSelector', w?.namespaceSelector],
      ['objectSelector', w?.objectSelector],
    ] as const) {
      (sel?.matchExpressions ?? []).forEach((e, k) => {
        const f = `${base}.${which}.matchExpressions[${k}]`;
        if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) {
          errs.push(notSupported(`${f}.operator`, e.operator, ['DoesNotExist', 'Exists', 'In', 'NotIn']));
        } else if ((e.operator === 'In' || e.operator === 'NotIn') && !e.values?.length) {
          errs.push({
            ...required(`${f}.values`),
            message: `${f}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
          });
        } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && e.values?.length) {
          errs.push(
            forbiddenField(
              `${f}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
      });
    }
  });
  return errs;
}
