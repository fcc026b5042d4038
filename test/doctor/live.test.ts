import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminRequest, clientTarget } from '../../src/cli/client.js';
import { loadLive, runDoctor } from '../../src/doctor/index.js';
import { spawnCli, waitForLine } from '../helpers/cli.js';
import { freePortBase } from '../helpers/config.js';
import { tempDir } from '../helpers/tmp.js';

describe('doctor live mode against irsakit up', () => {
  it("reads the instance's cluster, JWKS and objects, and mints tokens for a ServiceAccount", async () => {
    const tmp = tempDir();
    const port = await freePortBase();
    const child = spawnCli(['up', '--port', String(port)], { cwd: tmp.dir });
    try {
      await waitForLine(child, /^ready /);
      const io = { env: {}, cwd: tmp.dir } as unknown as Parameters<typeof clientTarget>[0];
      const target = clientTarget(io, { endpoint: `http://127.0.0.1:${port}` });
      const { snapshot, mintToken } = await loadLive(
        (m, p, b) => adminRequest(target, m, p, b),
        `irsakit at ${target.endpoint}`,
      );
      assert.equal(snapshot.clusters[0]?.name, 'local');
      assert.match(snapshot.clusters[0]!.issuer, /^https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/);
      assert.equal(Object.keys(snapshot.jwks).length, 1, snapshot.warnings.join('\n'));
      const report = await runDoctor(
        snapshot,
        { namespace: 'default', serviceAccount: 'default' },
        { mintToken },
      );
      const sa = report.checks.find((c) => c.id === 'service-account')!;
      assert.equal(sa.status, 'fail');
      assert.match(sa.evidence.join('\n'), /has no eks\.amazonaws\.com\/role-arn annotation|does not exist/);
    } finally {
      child.kill('SIGTERM');
      tmp.cleanup();
    }
  });
});

describe('doctor live mode reads IAM and Organizations with the admin pair', () => {
  it('places SCPs on the levels of the account path and ignores detached and sibling-OU ones', async () => {
    const {
      OrganizationsClient,
      CreatePolicyCommand,
      AttachPolicyCommand,
      CreateOrganizationalUnitCommand,
      ListRootsCommand,
      MoveAccountCommand,
    } = await import('@aws-sdk/client-organizations');
    const tmp = tempDir();
    const port = await freePortBase();
    const child = spawnCli(['up', '--port', String(port)], { cwd: tmp.dir });
    try {
      await waitForLine(child, /^ready /);
      const io = { env: {}, cwd: tmp.dir } as unknown as Parameters<typeof clientTarget>[0];
      const target = clientTarget(io, { endpoint: `http://127.0.0.1:${port}` });
      const admin = await adminRequest<{ accessKeyId: string; secretAccessKey: string }>(
        target,
        'GET',
        '/credentials',
      );
      const org = new OrganizationsClient({
        endpoint: target.endpoint,
        region: 'us-east-1',
        credentials: admin,
      });
      const rootId = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
      const ou = async (name: string) =>
        (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: name })))
          .OrganizationalUnit!.Id!;
      const home = await ou('workloads');
      const sibling = await ou('sandbox');
      await org.send(
        new MoveAccountCommand({
          AccountId: '111122223333',
          SourceParentId: rootId,
          DestinationParentId: home,
        }),
      );
      const scp = async (name: string) =>
        (
          await org.send(
            new CreatePolicyCommand({
              Name: name,
              Description: name,
              Type: 'SERVICE_CONTROL_POLICY',
              Content: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }],
              }),
            }),
          )
        ).Policy!.PolicySummary!.Id!;
      await org.send(new AttachPolicyCommand({ PolicyId: await scp('deny-in-home-ou'), TargetId: home }));
      await org.send(
        new AttachPolicyCommand({ PolicyId: await scp('deny-in-sibling-ou'), TargetId: sibling }),
      );
      await scp('never-attached');

      const { snapshot } = await loadLive((m, p, b) => adminRequest(target, m, p, b), 'live', {
        aws: { endpoint: target.endpoint, credentials: admin },
      });
      const levels = snapshot.scps.map((l) => l.map((p) => p.name).sort());
      assert.deepEqual(levels, [['FullAWSAccess'], ['FullAWSAccess', 'deny-in-home-ou'], ['FullAWSAccess']]);
      org.destroy();
    } finally {
      child.kill('SIGTERM');
      tmp.cleanup();
    }
  });
});
