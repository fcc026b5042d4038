import type { Check } from './check-context.js';
import { mutableContainers, volumes } from './kube.js';

const TITLE = 'Credential precedence: no static keys or credentials file that SDKs would use before IRSA';

/**
 * Every SDK's default chain reads environment keys, then profiles (shared credentials file), before web
 * identity (audit §0.5: botocore create_credential_resolver; JS v3 fromEnv → fromIni → fromTokenFile).
 */
export const checkCredentialPrecedence: Check = (_snap, r) => {
  const base = { id: 'credential-precedence', title: TITLE } as const;
  if (!r.pod) return { ...base, status: 'skip', evidence: ['no pod given (--pod NAME)'] };
  const fails: string[] = [];
  const warns: string[] = [];
  const remove: string[] = [];
  const secretVolumes = new Map(
    volumes(r.pod).map((v) => [
      String(v.name),
      v.secret
        ? `secret ${(v.secret as { secretName?: string }).secretName ?? ''}`
        : v.configMap
          ? 'configMap'
          : 'volume',
    ]),
  );
  for (const c of mutableContainers(r.pod).included) {
    for (const e of c.env) {
      const src = e.valueFrom?.secretKeyRef
        ? ` (from secret ${(e.valueFrom.secretKeyRef as { name?: string }).name})`
        : '';
      if (
        e.name === 'AWS_ACCESS_KEY_ID' ||
        e.name === 'AWS_SECRET_ACCESS_KEY' ||
        e.name === 'AWS_SESSION_TOKEN'
      ) {
        fails.push(
          `container ${c.name} sets ${e.name}${src}: environment keys come first in every SDK's chain, before IRSA`,
        );
        remove.push(`${e.name}-`);
      } else if (e.name === 'AWS_SHARED_CREDENTIALS_FILE') {
        fails.push(
          `container ${c.name} sets AWS_SHARED_CREDENTIALS_FILE=${e.value ?? '…'}: profile credentials come before IRSA`,
        );
        remove.push(`${e.name}-`);
      } else if (e.name === 'AWS_PROFILE' || e.name === 'AWS_DEFAULT_PROFILE') {
        warns.push(
          `container ${c.name} sets ${e.name}=${e.value ?? '…'}: a profile with credentials or role_arn wins over IRSA`,
        );
      }
    }
    for (const m of c.volumeMounts) {
      if (/(^|\/)\.aws(\/credentials)?\/?$/.test(m.mountPath)) {
        fails.push(
          `container ${c.name} mounts ${secretVolumes.get(m.name) ?? m.name} at ${m.mountPath}: a shared credentials file comes before IRSA`,
        );
      }
    }
    for (const f of c.envFrom) {
      const ref = (f.secretRef ?? f.configMapRef) as { name?: string } | undefined;
      if (ref)
        warns.push(
          `container ${c.name} imports all keys of ${f.secretRef ? 'secret' : 'configMap'} ${ref.name}: check it holds no AWS_ACCESS_KEY_ID`,
        );
    }
  }
  if (fails.length) {
    return {
      ...base,
      status: 'fail',
      evidence: [...fails, ...warns],
      fix: {
        summary:
          'remove the static credentials from the pod spec so that SDKs reach the web identity provider',
        command: remove.length
          ? `kubectl set env deployment -n ${r.namespace} NAME ${[...new Set(remove)].join(' ')}`
          : `kubectl edit deployment -n ${r.namespace} NAME   # remove the credentials volume and mount`,
      },
    };
  }
  if (warns.length) return { ...base, status: 'warn', evidence: warns };
  return { ...base, status: 'pass', evidence: ['no AWS keys, profile or credentials file in the pod spec'] };
};
